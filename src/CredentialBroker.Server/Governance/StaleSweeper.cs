using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Revokes active credentials unused for longer than their purpose's risk tier allows
/// (<see cref="GovernanceOptions"/> StaleAfter*): unused means no metered gateway call since
/// <c>last_used_at</c>, or since issue when never used. A tier set to zero is never swept.
/// </summary>
internal sealed class StaleSweeper(SweepRevoker revoker, IOptions<BrokerOptions> options, TimeProvider time, ILogger<StaleSweeper> logger)
{
    public const string Actor = "system:stale-sweep";

    private const string Candidates =
        """
        SELECT c.id, t.reason
        FROM credentials c
        JOIN purposes p ON p.id = c.purpose_id
        JOIN unnest($4::text[], $5::interval[], $6::text[]) AS t (tier, unused_for, reason) ON t.tier = p.risk_tier
        WHERE c.status = 'active' AND c.expires_at > $1
          AND coalesce(c.last_used_at, c.issued_at) <= $1 - t.unused_for
          AND credential_watermark(c.owner_id, c.purpose_id, c.provider_name, c.workload_id, c.issued_at, c.labels) IS NULL
        ORDER BY coalesce(c.last_used_at, c.issued_at)
        LIMIT $2
        FOR UPDATE OF c SKIP LOCKED
        """;

    /// <summary>Revokes every stale credential; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var governance = options.Value.Governance;
        var tiers = new[]
        {
            (Tier: RiskTier.Sandbox, After: governance.StaleAfterSandbox),
            (Tier: RiskTier.Internal, After: governance.StaleAfterInternal),
            (Tier: RiskTier.CustomerFacing, After: governance.StaleAfterCustomerFacing),
        }.Where(t => t.After > TimeSpan.Zero).ToList();
        if (tiers.Count == 0)
        {
            return 0;
        }

        var revoked = await revoker.RevokeAsync(Candidates, time.GetDbNow(), Actor,
            [
                tiers.Select(t => RiskTiers.ToDb(t.Tier)).ToArray(),
                tiers.Select(t => t.After).ToArray(),
                tiers.Select(t => "unused for " + Describe(t.After)).ToArray(),
            ],
            cancellationToken);
        if (revoked > 0)
        {
            GovernanceLog.StaleRevoked(logger, revoked);
        }

        return revoked;
    }

    /// <summary>"7 days", "1 day", "36 hours", "90 minutes".</summary>
    public static string Describe(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerDay == 0 ? Plural((long)span.TotalDays, "day")
        : span.Ticks % TimeSpan.TicksPerHour == 0 ? Plural((long)span.TotalHours, "hour")
        : Plural((long)Math.Ceiling(span.TotalMinutes), "minute");

    private static string Plural(long n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
}
