using System.Text.Json;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace CredentialBroker.Server.Credentials;

/// <summary>
/// Writes issued credentials with their audit events by group commit: concurrent issuances share
/// one statement and one durable commit (<see cref="GroupCommit{TItem, TResult}"/>). Durability is
/// not weakened: IssueCredential returns the secret only after its row has committed. When a batch
/// fails as a whole, its items are written one by one, so one bad row fails only its own call.
/// </summary>
internal sealed partial class IssuanceWriter(NpgsqlDataSource dataSource, AuditLog audit, ILogger<IssuanceWriter> logger)
    : GroupCommit<IssuanceWriter.Issue, Exception?>(MaxBatch)
{
    private const int MaxBatch = 256;

    // One statement, so one implicit transaction: the credentials and their audit events commit together
    // (a data-modifying WITH runs to completion whatever the outer statement reads).
    private const string Sql =
        """
        WITH issued AS (
            INSERT INTO credentials (id, prefix, secret_hash, owner_id, purpose_id, workload_id, provider_id, provider_name,
                                     models, labels, status, issued_at, expires_at, max_expires_at)
            SELECT b.id, b.prefix, b.secret_hash, b.owner_id, b.purpose_id, b.workload_id, b.provider_id, b.provider_name,
                   ARRAY(SELECT jsonb_array_elements_text(b.models)), b.labels, 'active', b.issued_at, b.expires_at, b.max_expires_at
            FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::text[],
                        $9::jsonb[], $10::jsonb[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[])
                 AS b(id, prefix, secret_hash, owner_id, purpose_id, workload_id, provider_id, provider_name,
                      models, labels, issued_at, expires_at, max_expires_at)
            )
        INSERT INTO audit_events (occurred_at, actor, actor_role, action, target_type, target_id, reason, outcome, metadata)
        SELECT a.occurred_at, a.actor, a.actor_role, a.action, a.target_type, a.target_id, a.reason, a.outcome, a.metadata
        FROM unnest($14::timestamptz[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::jsonb[])
             AS a(occurred_at, actor, actor_role, action, target_type, target_id, reason, outcome, metadata)
        """;

    protected override string ShuttingDownMessage => "The broker is shutting down; the credential was not issued.";

    /// <summary>Writes the credential and its audit event; completes once both are committed.</summary>
    public async Task WriteAsync(Credential credential, AuditEvent auditEvent)
    {
        if (await EnqueueAsync(new Issue(credential, auditEvent)) is { } failure)
        {
            throw failure;
        }
    }

    protected override async Task<Exception?[]> CommitAsync(IReadOnlyList<Issue> batch)
    {
        var results = new Exception?[batch.Count];
        try
        {
            await InsertAsync(batch);
        }
        catch (PostgresException ex) when (batch.Count > 1)
        {
            LogBatchRetried(logger, batch.Count, ex);
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    await InsertAsync([batch[i]]);
                }
                catch (PostgresException one)
                {
                    results[i] = one;
                }
            }
        }

        audit.Committed();
        return results;
    }

    protected override void BatchFailed(int count, Exception exception) => LogBatchFailed(logger, count, exception);

    private async Task InsertAsync(IReadOnlyList<Issue> batch)
    {
        await using var command = dataSource.CreateCommand(Sql);
        var c = batch.Select(i => i.Credential).ToArray();
        var e = batch.Select(i => i.Event).ToArray();
        var p = command.Parameters;
        p.Add(new() { Value = c.Select(x => x.Id).ToArray() });
        p.Add(new() { Value = c.Select(x => x.Prefix).ToArray() });
        p.Add(new() { Value = c.Select(x => x.SecretHash).ToArray() });
        p.Add(new() { Value = c.Select(x => x.OwnerId).ToArray() });
        p.Add(new() { Value = c.Select(x => x.PurposeId).ToArray() });
        p.Add(new() { Value = c.Select(x => x.WorkloadId).ToArray() });
        p.Add(new() { Value = c.Select(x => x.ProviderId).ToArray() });
        p.Add(new() { Value = c.Select(x => x.ProviderName).ToArray() });
        p.Add(new() { Value = c.Select(x => JsonSerializer.Serialize(x.Models)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        p.Add(new() { Value = c.Select(x => x.Labels).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        p.Add(new() { Value = c.Select(x => x.IssuedAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(new() { Value = c.Select(x => x.ExpiresAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(new() { Value = c.Select(x => x.MaxExpiresAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(new() { Value = e.Select(x => x.OccurredAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(new() { Value = e.Select(x => x.Actor).ToArray() });
        p.Add(new() { Value = e.Select(x => x.ActorRole).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new() { Value = e.Select(x => x.Action).ToArray() });
        p.Add(new() { Value = e.Select(x => x.TargetType).ToArray() });
        p.Add(new() { Value = e.Select(x => x.TargetId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new() { Value = e.Select(x => x.Reason).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new() { Value = e.Select(x => x.Outcome).ToArray() });
        p.Add(new() { Value = e.Select(x => x.Metadata).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Issuance: a batch of {Count} credentials failed as a whole; writing them one by one.")]
    private static partial void LogBatchRetried(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Issuance: writing a batch of {Count} credentials failed; those calls fail.")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    internal sealed record Issue(Credential Credential, AuditEvent Event);
}
