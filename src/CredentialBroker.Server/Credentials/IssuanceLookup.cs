using System.Collections.Concurrent;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CredentialBroker.Server.Credentials;

/// <summary>What IssueCredential must know before it issues: the purpose and the facts that can refuse it.</summary>
internal sealed record IssuanceFacts(Purpose Purpose, bool Granted, bool OwnerActive, bool WorkloadDeregistered, Guid? ProviderId, string? ProviderName);

/// <summary>
/// Reads <see cref="IssuanceFacts"/> with one prepared statement per issuance. The facts that can
/// refuse an issue (grant, owner state, workload state, provider) are read fresh every time; the
/// purpose row itself is kept in memory and re-read only when its row version (<c>xmin</c>) has
/// changed, so a policy change or a retirement is seen by the very next issuance on every replica,
/// without relying on notifications.
/// </summary>
internal sealed class IssuanceLookup(NpgsqlDataSource dataSource)
{
    private const int MaxCachedPurposes = 10_000;
    private readonly ConcurrentDictionary<Guid, (uint Version, Purpose Purpose)> _purposes = new();

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

        if (!_purposes.TryGetValue(purposeId, out var cached) || cached.Version != version)
        {
            // Read after the version: if the row changed in between, the next issuance sees a newer version and reads again.
            var purpose = await db.Purposes.AsNoTracking().FirstAsync(p => p.Id == purposeId, cancellationToken);
            if (_purposes.Count >= MaxCachedPurposes)
            {
                _purposes.Clear();
            }

            cached = _purposes[purposeId] = (version, purpose);
        }

        return new IssuanceFacts(cached.Purpose, granted, ownerActive, deregistered, providerId, provider);
    }
}
