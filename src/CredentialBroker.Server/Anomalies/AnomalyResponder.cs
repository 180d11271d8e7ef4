using System.Globalization;
using System.Text.Json;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// Turns a finding into an anomaly record and acts on it by the risk tier's policy (alert, narrow,
/// suspend, revoke), with the audit events, in one transaction; then announces the change so every
/// replica's gateway cache drops the credential. At most one unresolved anomaly exists per credential
/// and kind (a unique index), so the same incident seen again — the next minute, on another replica —
/// records and does nothing.
/// </summary>
internal sealed class AnomalyResponder(
    IServiceScopeFactory scopes, AuditLog audit, ChangeFeed changes, IOptions<BrokerOptions> options, TimeProvider time, ILogger<AnomalyResponder> logger)
{
    public const string Job = "anomaly-detection";

    /// <summary>Records and acts on <paramref name="finding"/>; returns the new anomaly's id, or null when it was already known or the credential no longer works.</summary>
    public async Task<Guid?> RespondAsync(AnomalyFinding finding, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
        var now = time.GetDbNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var credential = (await db.Credentials.FromSql($"SELECT * FROM credentials WHERE id = {finding.CredentialId} FOR UPDATE").ToListAsync(cancellationToken)).FirstOrDefault();
        if (credential is null || credential.Status is not (CredentialState.Active or CredentialState.Suspended))
        {
            return null;
        }

        var purpose = await db.Purposes.AsNoTracking().FirstAsync(p => p.Id == credential.PurposeId, cancellationToken);
        var settings = options.Value.Anomalies;
        var action = settings.For(purpose.RiskTier).ActionFor(finding.Kind);
        var id = Guid.CreateVersion7(now);
        var evidence = JsonSerializer.Serialize(finding.Evidence);
        var kind = AnomalyNames.Of(finding.Kind);
        var actionName = AnomalyNames.Of(action);
        var inserted = await db.Database.SqlQuery<Guid>(
            $"""
            INSERT INTO anomalies (id, credential_id, owner_id, purpose_id, kind, score, evidence, action, status, detected_at)
            VALUES ({id}, {credential.Id}, {credential.OwnerId}, {credential.PurposeId}, {kind}, {finding.Score}, {evidence}::jsonb, {actionName}, 'open', {now})
            ON CONFLICT (credential_id, kind) WHERE status <> 'resolved' DO NOTHING
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        if (inserted.Count == 0)
        {
            return null;
        }

        var details = new Dictionary<string, string>
        {
            ["anomaly_id"] = id.ToString(),
            ["credential_id"] = credential.Id.ToString(),
            ["prefix"] = credential.Prefix,
            ["kind"] = kind,
            ["score"] = finding.Score.ToString("0.###", CultureInfo.InvariantCulture),
            ["action"] = actionName,
            ["risk_tier"] = Policy.RiskTiers.ToDb(purpose.RiskTier),
            ["evidence"] = evidence,
        };
        audit.RecordSystem(db, Job, new AuditEntry("anomaly.detected", "credential", credential.Id.ToString(), finding.Summary, details));
        var changed = await ApplyAsync(db, credential, purpose.Gateway.CredentialLimits, action, id, finding, details, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        // A revoked credential takes everything delegated from it along, as every revocation does.
        var descendants = action == AnomalyAction.Revoke
            ? await DescendantRevocation.RevokeAsync(db, entry => audit.RecordSystem(db, Job, entry), credential, finding.Summary, now, cancellationToken)
            : [];
        await transaction.CommitAsync(cancellationToken);
        audit.Committed();
        AnomalyLog.Detected(logger, kind, credential.Prefix, finding.Score, actionName, id);
        if (changed)
        {
            await changes.PublishAsync(ChangeKind.Credential, credential.Id, CancellationToken.None);
        }

        foreach (var descendant in descendants)
        {
            await changes.PublishAsync(ChangeKind.Credential, descendant, CancellationToken.None);
        }

        return id;
    }

    private async Task<bool> ApplyAsync(
        BrokerDbContext db, Credential credential, Limits purposeLimits, AnomalyAction action, Guid anomalyId, AnomalyFinding finding,
        Dictionary<string, string> details, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reason = $"Anomaly {anomalyId} ({details["kind"]}, score {details["score"]}): {finding.Summary}";
        switch (action)
        {
            case AnomalyAction.Narrow:
                var window = options.Value.Anomalies.Window;
                var (requests, tokens) = await ObservedAsync(db, credential.Id, now - window, cancellationToken);
                var minutes = window.TotalMinutes;
                credential.NarrowedLimits = Narrowing.Narrow(purposeLimits, credential.NarrowedLimits, requests / minutes, tokens / minutes, options.Value.Anomalies.NarrowFactor);
                audit.RecordSystem(db, Job, new AuditEntry("credential.narrowed", "credential", credential.Id.ToString(), reason, new Dictionary<string, string>(details)
                {
                    ["requests_per_minute"] = credential.NarrowedLimits.RequestsPerMinute.ToString(CultureInfo.InvariantCulture),
                    ["tokens_per_minute"] = credential.NarrowedLimits.TokensPerMinute.ToString(CultureInfo.InvariantCulture),
                }));
                return true;
            case AnomalyAction.Suspend when credential.Status == CredentialState.Active:
                credential.Status = CredentialState.Suspended;
                credential.SuspendedAt = now;
                credential.SuspendedBy = anomalyId;
                audit.RecordSystem(db, Job, new AuditEntry("credential.suspended", "credential", credential.Id.ToString(), reason, details));
                return true;
            case AnomalyAction.Revoke:
                // The single-revocation path's effect: the row is revoked for good, audited, announced.
                credential.Status = CredentialState.Revoked;
                credential.RevokedAt = now;
                credential.RevocationReason = SecretScrubber.Scrub(reason.Length <= 512 ? reason : reason[..512]);
                audit.RecordSystem(db, Job, new AuditEntry("credential.revoked", "credential", credential.Id.ToString(), reason, details));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Requests and tokens the credential used since <paramref name="since"/>.</summary>
    private static async Task<(long Requests, long Tokens)> ObservedAsync(BrokerDbContext db, Guid credentialId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand(
            "SELECT count(*), coalesce(sum(input_tokens + output_tokens), 0)::bigint FROM usage_events WHERE credential_id = $1 AND occurred_at > $2",
            connection, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        command.Parameters.Add(new() { Value = credentialId });
        command.Parameters.Add(new() { Value = since });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
