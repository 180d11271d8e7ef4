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
    : GroupCommit<IssuanceWriter.Issue, IssuanceWriter.Outcome>(MaxBatch)
{
    private const int MaxBatch = 256;

    // One statement, so one implicit transaction: the credentials and their audit events commit together.
    // A credential is written only while its purpose is the version the caller decided on and is not
    // retired, the workload is granted it and not deregistered, the purpose's owner is active and the
    // provider is the one named; the ids written are returned, the others were refused.
    private const string Sql =
        """
        WITH b AS (
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::text[],
                                 $9::jsonb[], $10::jsonb[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::xid[])
                 AS b(id, prefix, secret_hash, owner_id, purpose_id, workload_id, provider_id, provider_name,
                      models, labels, issued_at, expires_at, max_expires_at, purpose_version)),
        issued AS (
            INSERT INTO credentials (id, prefix, secret_hash, owner_id, purpose_id, workload_id, provider_id, provider_name,
                                     models, labels, status, issued_at, expires_at, max_expires_at)
            SELECT b.id, b.prefix, b.secret_hash, b.owner_id, b.purpose_id, b.workload_id, b.provider_id, b.provider_name,
                   ARRAY(SELECT jsonb_array_elements_text(b.models)), b.labels, 'active', b.issued_at, b.expires_at, b.max_expires_at
            FROM b JOIN purposes p ON p.id = b.purpose_id AND p.xmin = b.purpose_version AND p.retired_at IS NULL
            WHERE EXISTS (SELECT 1 FROM grants g WHERE g.purpose_id = b.purpose_id AND g.workload_id = b.workload_id)
              AND EXISTS (SELECT 1 FROM owners o WHERE o.id = p.owner_id AND o.active)
              AND NOT EXISTS (SELECT 1 FROM workloads w WHERE w.id = b.workload_id AND w.deregistered_at IS NOT NULL)
              AND EXISTS (SELECT 1 FROM providers pr WHERE pr.id = b.provider_id AND pr.name = b.provider_name)
            RETURNING id),
        audited AS (
            INSERT INTO audit_events (occurred_at, actor, actor_role, action, target_type, target_id, reason, outcome, metadata)
            SELECT a.occurred_at, a.actor, a.actor_role, a.action, a.target_type, a.target_id, a.reason, a.outcome, a.metadata
            FROM unnest($15::timestamptz[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::jsonb[])
                 AS a(occurred_at, actor, actor_role, action, target_type, target_id, reason, outcome, metadata)
            WHERE a.target_id IN (SELECT id::text FROM issued))
        SELECT id FROM issued
        """;

    protected override string ShuttingDownMessage => "The broker is shutting down; the credential was not issued.";

    /// <summary>
    /// Writes the credential and its audit event; true once both are committed, false when the facts
    /// the issuance was decided on no longer hold (nothing was written; decide again on fresh facts).
    /// </summary>
    public async Task<bool> WriteAsync(Credential credential, uint purposeVersion, AuditEvent auditEvent)
    {
        var outcome = await EnqueueAsync(new Issue(credential, purposeVersion, auditEvent));
        return outcome.Failure is { } failure ? throw failure : outcome.Written;
    }

    protected override async Task<Outcome[]> CommitAsync(IReadOnlyList<Issue> batch)
    {
        var results = new Outcome[batch.Count];
        try
        {
            var written = await InsertAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                results[i] = new Outcome(written.Contains(batch[i].Credential.Id), null);
            }
        }
        catch (PostgresException ex) when (batch.Count > 1)
        {
            LogBatchRetried(logger, batch.Count, ex);
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    results[i] = new Outcome((await InsertAsync([batch[i]])).Count == 1, null);
                }
                catch (PostgresException one)
                {
                    results[i] = new Outcome(false, one);
                }
            }
        }

        audit.Committed();
        return results;
    }

    protected override void BatchFailed(int count, Exception exception) => LogBatchFailed(logger, count, exception);

    private async Task<HashSet<Guid>> InsertAsync(IReadOnlyList<Issue> batch)
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
        p.Add(new() { Value = batch.Select(x => x.PurposeVersion).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Xid });
        p.Add(new() { Value = e.Select(x => x.OccurredAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(new() { Value = e.Select(x => x.Actor).ToArray() });
        p.Add(new() { Value = e.Select(x => x.ActorRole).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new() { Value = e.Select(x => x.Action).ToArray() });
        p.Add(new() { Value = e.Select(x => x.TargetType).ToArray() });
        p.Add(new() { Value = e.Select(x => x.TargetId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new() { Value = e.Select(x => x.Reason).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new() { Value = e.Select(x => x.Outcome).ToArray() });
        p.Add(new() { Value = e.Select(x => x.Metadata).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        var written = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            written.Add(reader.GetGuid(0));
        }

        return written;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Issuance: a batch of {Count} credentials failed as a whole; writing them one by one.")]
    private static partial void LogBatchRetried(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Issuance: writing a batch of {Count} credentials failed; those calls fail.")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    internal sealed record Issue(Credential Credential, uint PurposeVersion, AuditEvent Event);

    internal readonly record struct Outcome(bool Written, Exception? Failure);
}
