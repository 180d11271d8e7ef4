using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Revokes the credentials a governance job selects, in bounded batches. Each batch is one statement:
/// the candidates are locked <c>FOR UPDATE SKIP LOCKED</c> and revoked only while still active, each
/// gets an audit event, and each is announced on the <see cref="ChangeFeed"/> so every replica's
/// gateway cache drops it. Two replicas running the same job therefore never revoke (or audit) a
/// credential twice.
/// </summary>
internal sealed class SweepRevoker(NpgsqlDataSource dataSource, AuditLog audit, ChangeFeed changes, IOptions<BrokerOptions> options)
{
    /// <summary>
    /// Revokes everything <paramref name="candidates"/> selects; returns how many. The candidate query
    /// returns <c>id, reason</c> from <c>credentials c</c>, takes <c>$1</c> = now and <c>$2</c> = batch size
    /// (<c>LIMIT $2 FOR UPDATE OF c SKIP LOCKED</c>), and its own parameters from <c>$4</c> on.
    /// </summary>
    public async Task<int> RevokeAsync(string candidates, DateTimeOffset now, string actor, IReadOnlyList<object> parameters, CancellationToken cancellationToken)
    {
        var total = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var command = dataSource.CreateCommand(
                $"""
                WITH due AS ({candidates}),
                revoked AS (
                    UPDATE credentials c
                    SET status = 'revoked', revoked_at = $1, revocation_reason = due.reason
                    FROM due WHERE c.id = due.id AND c.status = 'active'
                    RETURNING c.id, c.prefix, c.revocation_reason, c.last_used_at),
                audited AS (
                    INSERT INTO audit_events (occurred_at, actor, action, target_type, target_id, reason, outcome, metadata)
                    SELECT $1, $3, 'credential.revoked', 'credential', id::text, revocation_reason, 'success',
                           jsonb_strip_nulls(jsonb_build_object('prefix', prefix,
                               'last_used_at', to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))
                    FROM revoked
                    RETURNING 1),
                notified AS (SELECT {ChangeFeed.NotifySql(ChangeKind.Credential, "id")} FROM revoked)
                SELECT coalesce((SELECT array_agg(id) FROM revoked), ARRAY[]::uuid[]), (SELECT count(*) FROM audited), (SELECT count(*) FROM notified)
                """);
            command.Parameters.Add(new() { Value = now });
            command.Parameters.Add(new() { Value = options.Value.BatchSize });
            command.Parameters.Add(new() { Value = actor });
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(new() { Value = parameter });
            }

            var ids = (Guid[])(await command.ExecuteScalarAsync(cancellationToken))!;
            foreach (var id in ids)
            {
                // Committed (autocommit statement): this replica's gateway drops them now, the others on the notification.
                changes.Committed(ChangeKind.Credential, id);
            }

            var revoked = ids.Length;
            total += revoked;
            if (revoked < options.Value.BatchSize)
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
