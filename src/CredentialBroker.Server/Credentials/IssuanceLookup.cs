using System.Collections.Concurrent;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CredentialBroker.Server.Credentials;

/// <summary>
/// What IssueCredential must know before it issues: the purpose (with its row version, <c>xmin</c>)
/// and the facts that can refuse it. <see cref="Fresh"/> facts were just read; cached ones are
/// assumed to still hold and are checked again by the statement that writes the credential
/// (<see cref="IssuanceWriter"/>), which writes nothing when any of them no longer holds.
/// </summary>
internal sealed record IssuanceFacts(Purpose Purpose, uint PurposeVersion, bool Granted, bool OwnerActive, bool WorkloadDeregistered, Guid? ProviderId, string? ProviderName, bool Fresh);

/// <summary>
/// Finds <see cref="IssuanceFacts"/>. A purpose and provider that issued recently are served from
/// memory with no database read at all: the write statement re-checks the grant, the owner, the
/// workload, the provider and the purpose's row version in the same transaction, so a change made
/// anywhere (another replica, plain SQL) is never missed — the issuance is then decided again on
/// fresh facts (<see cref="FindAsync"/>), which also gives the precise refusal.
/// </summary>
internal sealed class IssuanceLookup(NpgsqlDataSource dataSource)
{
    private const int MaxCached = 10_000;
    private readonly ConcurrentDictionary<string, (uint Version, Purpose Purpose)> _purposes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Guid> _providers = new(StringComparer.Ordinal);

    /// <summary>Facts from memory, when this purpose and provider issued before; null otherwise.</summary>
    public IssuanceFacts? Cached(string purposeName, string providerName) =>
        _purposes.TryGetValue(purposeName, out var purpose) && _providers.TryGetValue(providerName, out var providerId)
            ? new IssuanceFacts(purpose.Purpose, purpose.Version, true, true, false, providerId, providerName, Fresh: false)
            : null;

    /// <summary>Drops what is cached for a purpose whose cached facts no longer hold.</summary>
    public void Forget(string purposeName) => _purposes.TryRemove(purposeName, out _);

    /// <summary>Reads the facts with one prepared statement (and the purpose row when its version changed).</summary>
    public async Task<IssuanceFacts?> FindAsync(BrokerDbContext db, string purposeName, Guid workloadId, string providerName, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT p.id, p.xmin,
                   EXISTS (SELECT 1 FROM grants g WHERE g.purpose_id = p.id AND g.workload_id = $2),
                   coalesce((SELECT o.active FROM owners o WHERE o.id = p.owner_id), false),
                   EXISTS (SELECT 1 FROM workloads w WHERE w.id = $2 AND w.deregistered_at IS NOT NULL),
                   pr.id, pr.name
            FROM purposes p LEFT JOIN providers pr ON pr.name = $3
            WHERE p.name = $1
            """);
        command.Parameters.Add(new() { Value = purposeName });
        command.Parameters.Add(new() { Value = workloadId });
        command.Parameters.Add(new() { Value = providerName });
        Guid purposeId;
        uint version;
        bool granted, ownerActive, deregistered;
        Guid? providerId;
        string? provider;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            purposeId = reader.GetGuid(0);
            version = reader.GetFieldValue<uint>(1);
            granted = reader.GetBoolean(2);
            ownerActive = reader.GetBoolean(3);
            deregistered = reader.GetBoolean(4);
            providerId = reader.IsDBNull(5) ? null : reader.GetGuid(5);
            provider = reader.IsDBNull(6) ? null : reader.GetString(6);
        }

        if (!_purposes.TryGetValue(purposeName, out var cached) || cached.Version != version || cached.Purpose.Id != purposeId)
        {
            // Read after the version: if the row changes in between, the write statement sees a newer
            // version than the one kept here and the issuance is decided again.
            var purpose = await db.Purposes.AsNoTracking().FirstAsync(p => p.Id == purposeId, cancellationToken);
            cached = (version, purpose);
        }

        return new IssuanceFacts(cached.Purpose, cached.Version, granted, ownerActive, deregistered, providerId, provider, Fresh: true);
    }

    /// <summary>Keeps the facts of an issuance that was written, for the next ones.</summary>
    public void Remember(IssuanceFacts facts)
    {
        if (_purposes.Count >= MaxCached || _providers.Count >= MaxCached)
        {
            _purposes.Clear();
            _providers.Clear();
        }

        _purposes[facts.Purpose.Name] = (facts.PurposeVersion, facts.Purpose);
        _providers[facts.ProviderName!] = facts.ProviderId!.Value;
    }
}
