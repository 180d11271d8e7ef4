using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Marks active credentials past their expiry as expired, in bounded batches, each batch with one
/// audit event per credential in the same statement. <c>SKIP LOCKED</c> lets several replicas
/// (or a renewal holding a row) work side by side without waiting or double-expiring.
/// </summary>
internal sealed class ExpirySweeper(NpgsqlDataSource dataSource, AuditLog audit, IOptions<BrokerOptions> options, TimeProvider time, ILogger<ExpirySweeper> logger)
{
    public const string Actor = "system:expiry-job";

    /// <summary>Expires everything due at the current time; returns how many credentials expired.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetDbNow();
        var total = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var expired = await SweepBatchAsync(now, cancellationToken);
            total += expired;
            if (expired < options.Value.BatchSize)
            {
                break;
            }
        }

        if (total > 0)
        {
            audit.Committed();
            GovernanceLog.Expired(logger, total);
        }

        return total;
    }

    private async Task<int> SweepBatchAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH due AS (
                SELECT id FROM credentials
                WHERE status IN ('active', 'suspended') AND expires_at <= $1
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
            SELECT count(*) FROM audited
            """);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = options.Value.BatchSize });
        command.Parameters.Add(new() { Value = Actor });
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
