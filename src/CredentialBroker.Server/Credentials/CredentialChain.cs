using System.Text.Json;
using CredentialBroker.Server.Gateway;
using Npgsql;

namespace CredentialBroker.Server.Credentials;

/// <summary>One credential of a delegation chain, with its enforced state and its own budgets.</summary>
internal sealed record ChainLink(Guid Id, string Prefix, int Depth, CredentialState Status, DateTimeOffset ExpiresAt, DateTimeOffset MaxExpiresAt, bool RevokedByWatermark, Limits Limits)
{
    /// <summary>Active on its row, not covered by a mass revocation, not past expiry.</summary>
    public bool IsActive(DateTimeOffset now) => Status == CredentialState.Active && !RevokedByWatermark && ExpiresAt > now;

    /// <summary>"revoked", "expired" or "suspended" (or "active"), for messages.</summary>
    public string StateText(DateTimeOffset now) =>
        Status == CredentialState.Revoked || RevokedByWatermark ? "revoked"
        : Status == CredentialState.Expired || ExpiresAt <= now ? "expired"
        : Status == CredentialState.Suspended ? "suspended" : "active";
}

/// <summary>Reads a credential and its ancestors (parent, grandparent, ... root) in one recursive query.</summary>
internal static class CredentialChain
{
    private const string Sql = """
        WITH RECURSIVE chain AS (
            SELECT c.id, c.parent_id, c.prefix, c.depth, c.status, c.expires_at, c.max_expires_at, c.limits,
                   c.owner_id, c.purpose_id, c.provider_name, c.workload_id, c.issued_at, c.labels, 0 AS hop
            FROM credentials c WHERE c.id = $1
            UNION ALL
            SELECT c.id, c.parent_id, c.prefix, c.depth, c.status, c.expires_at, c.max_expires_at, c.limits,
                   c.owner_id, c.purpose_id, c.provider_name, c.workload_id, c.issued_at, c.labels, chain.hop + 1
            FROM credentials c JOIN chain ON c.id = chain.parent_id)
        SELECT id, prefix, depth, status, expires_at, max_expires_at,
               status = 'active' AND credential_watermark(owner_id, purpose_id, provider_name, workload_id, issued_at, labels) IS NOT NULL,
               limits::text
        FROM chain ORDER BY hop
        """;

    /// <summary>The credential <paramref name="id"/> first, then each ancestor up to the root; empty if it does not exist.</summary>
    public static async Task<List<ChainLink>> LoadAsync(NpgsqlDataSource dataSource, Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new() { Value = id });
        var links = new List<ChainLink>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var status = reader.GetString(3) switch
            {
                "active" => CredentialState.Active,
                "expired" => CredentialState.Expired,
                "suspended" => CredentialState.Suspended,
                _ => CredentialState.Revoked,
            };
            links.Add(new ChainLink(
                reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), status,
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetBoolean(6),
                JsonSerializer.Deserialize<Limits>(reader.GetString(7), PolicyJson.Options) ?? Limits.None));
        }

        return links;
    }
}
