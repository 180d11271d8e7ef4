using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Marks active (and suspended) credentials past their expiry as expired, in bounded batches, each
/// batch with one audit event per credential in the same statement. <c>SKIP LOCKED</c> lets several
/// replicas (or a renewal holding a row) work side by side without waiting or double-expiring; a row
/// skipped that way is left to the next run.
/// </summary>
/// <remarks>
/// Each status is swept on its own with the status as a literal, so a batch is an ordered scan of that
/// status's partial index on <c>expires_at</c> (a status list matches neither index: every batch then
/// scanned and sorted the whole table). Batches walk forward from the previous batch's last expiry, so
/// a long sweep does not re-read the index entries of the rows it already expired, and each batch
/// takes the time anew, so a run keeps up with credentials that come due while it runs (an expiry storm).
/// </remarks>
internal sealed class ExpirySweeper(NpgsqlDataSource dataSource, AuditLog audit, IOptions<BrokerOptions> options, TimeProvider time, ILogger<ExpirySweeper> logger)
{
    public const string Actor = "system:expiry-job";

    private static readonly string[] _sweptStatuses = ["active", "suspended"];

    /// <summary>Expires everything due until it catches up with the clock; returns how many credentials expired.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var status in _sweptStatuses)
        {
            var from = DateTimeOffset.MinValue;
            while (!cancellationToken.IsCancellationRequested)
            {
                var (expired, last) = await SweepBatchAsync(status, from, time.GetDbNow(), cancellationToken);
                total += expired;
                if (expired > 0)
                {
                    audit.Committed();
                }

                if (expired < options.Value.BatchSize)
                {
                    break;
                }

                from = last ?? from;
            }
        }

        if (total > 0)
        {
            GovernanceLog.Expired(logger, total);
        }

        return total;
    }

    private async Task<(int Expired, DateTimeOffset? Last)> SweepBatchAsync(string status, DateTimeOffset from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            WITH due AS (
                SELECT id FROM credentials
                WHERE status = '{status}' AND expires_at >= $4 AND expires_at <= $1
                ORDER BY expires_at
                LIMIT $2
                FOR UPDATE SKIP LOCKED),
            expired AS (
                UPDATE credentials c
                SET status = 'expired', revoked_at = c.expires_at, revocation_reason = 'expired'
                FROM due WHERE c.id = due.id
                RETURNING c.id, c.prefix, c.expires_at),
            audited AS (
                INSERT INTO audit_events (occurred_at, actor, action, target_type, target_id, reason, outcome, metadata)
                SELECT $1, $3, 'credential.expired', 'credential', id::text, 'expired', 'success',
                       jsonb_build_object('prefix', prefix, 'expires_at', to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
                FROM expired
                RETURNING 1)
            SELECT (SELECT count(*) FROM audited), (SELECT max(expires_at) FROM expired)
            """);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = options.Value.BatchSize });
        command.Parameters.Add(new() { Value = Actor });
        command.Parameters.Add(new() { Value = from });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ((int)reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }
}
