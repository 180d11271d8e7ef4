using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Settles budget reservations whose replica died mid-call (never settled after
/// Broker:Gateway:AbandonedReservationAfter): each is charged its full worst case — the safe side,
/// since the provider may have billed the call — with a usage event (outcome "abandoned") and an
/// audit event, in one transaction per batch. SKIP LOCKED keeps replicas from double-settling.
/// </summary>
internal sealed class ReservationSweeper(NpgsqlDataSource dataSource, AuditLog audit, IOptions<BrokerOptions> options, TimeProvider time)
{
    public const string Actor = "system:reservation-sweep";

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetDbNow();
        var cutoff = now - options.Value.Gateway.AbandonedReservationAfter;
        var total = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                """
                WITH stale AS (
                    SELECT r.id, r.credential_id, r.micro_usd, r.tokens FROM budget_reservations r
                    WHERE r.created_at < $1 ORDER BY r.created_at LIMIT $2 FOR UPDATE SKIP LOCKED),
                used AS (
                    INSERT INTO usage_events (occurred_at, credential_id, owner_id, purpose_id, workload_id, provider_name, endpoint, model, status_code,
                                              outcome, streamed, input_tokens, cached_input_tokens, output_tokens, cost_micro_usd, usage_source, latency_ms,
                                              caller_identity, call_depth, reservation_id)
                    SELECT $3, c.id, c.owner_id, c.purpose_id, c.workload_id, c.provider_name, 'unknown', '', 0,
                           'abandoned', false, 0, 0, s.tokens, s.micro_usd, 'reserved', 0, NULL, 0, s.id
                    FROM stale s JOIN credentials c ON c.id = s.credential_id
                    RETURNING reservation_id, credential_id, cost_micro_usd),
                audited AS (
                    INSERT INTO audit_events (occurred_at, actor, action, target_type, target_id, reason, outcome, metadata)
                    SELECT $3, $4, 'budget.reservation_abandoned', 'credential', credential_id::text,
                           'A call was never settled (its broker replica stopped mid-call); charged its full reservation.', 'success',
                           jsonb_build_object('reservation_id', reservation_id::text, 'charged_micro_usd', cost_micro_usd::text)
                    FROM used RETURNING 1)
                SELECT array_agg(s.id), array_agg(s.micro_usd), array_agg(s.tokens), (SELECT count(*) FROM audited)
                FROM stale s
                """, connection, transaction);
            command.Parameters.Add(new() { Value = cutoff });
            command.Parameters.Add(new() { Value = options.Value.BatchSize });
            command.Parameters.Add(new() { Value = now });
            command.Parameters.Add(new() { Value = Actor });
            Guid[]? ids;
            long[]? usd;
            long[]? tokens;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                ids = reader.IsDBNull(0) ? null : reader.GetFieldValue<Guid[]>(0);
                usd = reader.IsDBNull(1) ? null : reader.GetFieldValue<long[]>(1);
                tokens = reader.IsDBNull(2) ? null : reader.GetFieldValue<long[]>(2);
            }

            if (ids is null)
            {
                break;
            }

            await using (var settle = new NpgsqlCommand("SELECT count(*) FROM budget_settle($1, $2, $3, $4)", connection, transaction))
            {
                settle.Parameters.Add(new() { Value = ids });
                settle.Parameters.Add(new() { Value = usd! });
                settle.Parameters.Add(new() { Value = tokens! });
                settle.Parameters.Add(new() { Value = now });
                await settle.ExecuteScalarAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            total += ids.Length;
            if (ids.Length < options.Value.BatchSize)
            {
                break;
            }
        }

        if (total > 0)
        {
            audit.Committed();
        }

        return total;
    }
}

/// <summary>Quartz job (clustered) running <see cref="ReservationSweeper"/>.</summary>
[DisallowConcurrentExecution]
internal sealed class ReservationSweepJob(ReservationSweeper sweeper) : IJob
{
    public const string Name = "settle-abandoned-reservations";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await sweeper.SweepAsync(cancellationToken);
}
