using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Anomalies;

/// <summary>gRPC <c>AnomalyService</c>: security lists, acknowledges and reinstates (roles in <see cref="RpcPermissions"/>).</summary>
internal sealed class AnomalyApi(BrokerDbContext db, AuditLog audit, ChangeFeed changes, TimeProvider time) : AnomalyService.AnomalyServiceBase
{
    private const int MaxNote = 1000;

    public override Task<ListAnomaliesResponse> ListAnomalies(ListAnomaliesRequest request, ServerCallContext context) =>
        new AnomalyLister(db).ListAsync(request, context.CancellationToken);

    public override async Task<AcknowledgeAnomalyResponse> AcknowledgeAnomaly(AcknowledgeAnomalyRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        var note = v.MaxLength("note", request.Note, MaxNote);
        v.ThrowIfInvalid();

        var anomaly = await db.Anomalies.FirstOrDefaultAsync(a => a.Id == id, context.CancellationToken);
        if (anomaly is null)
        {
            RpcErrors.NotFound($"Anomaly {id} does not exist.");
        }

        if (anomaly.Status == Anomalies.AnomalyStatus.Resolved)
        {
            RpcErrors.FailedPrecondition($"Anomaly {id} was resolved at {anomaly.ResolvedAt:u}; there is nothing left to acknowledge.");
        }

        var caller = AuthInterceptor.GetCaller(context);
        var now = time.GetDbNow();
        anomaly.Status = request.Resolve ? Anomalies.AnomalyStatus.Resolved : Anomalies.AnomalyStatus.Acknowledged;
        anomaly.AcknowledgedBy = caller.Actor;
        anomaly.AcknowledgedAt = now;
        anomaly.ResolvedAt = request.Resolve ? now : null;
        anomaly.Note = note.Length == 0 ? anomaly.Note : SecretScrubber.Scrub(note);
        audit.Record(db, caller, context, new AuditEntry(request.Resolve ? "anomaly.resolved" : "anomaly.acknowledged", "credential", anomaly.CredentialId.ToString(),
            note.Length == 0 ? null : note, new Dictionary<string, string>
            {
                ["anomaly_id"] = anomaly.Id.ToString(),
                ["credential_id"] = anomaly.CredentialId.ToString(),
                ["kind"] = AnomalyNames.Of(anomaly.Kind),
                ["action"] = AnomalyNames.Of(anomaly.Action),
            }));
        await db.SaveChangesAsync(context.CancellationToken);
        audit.Committed();
        return new AcknowledgeAnomalyResponse { Anomaly = AnomalyMapper.ToProto(anomaly) };
    }

    public override async Task<ReinstateCredentialResponse> ReinstateCredential(ReinstateCredentialRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("credential_id", request.CredentialId);
        var note = v.Required("note", request.Note, MaxNote);
        v.ThrowIfInvalid();

        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        var view = await db.FindViewAsync(id, track: true, context.CancellationToken);
        if (view is null)
        {
            RpcErrors.NotFound($"Credential {id} does not exist.");
        }

        var now = time.GetDbNow();
        var c = view.Row;
        var state = view.EffectiveState(now);
        if (state is CredentialState.Revoked or CredentialState.Expired)
        {
            RpcErrors.FailedPrecondition($"Credential {c.Prefix} is {(state == CredentialState.Revoked ? "revoked" : "expired")}; it cannot be reinstated. Issue a new one.");
        }

        if (state == CredentialState.Active && c.NarrowedLimits is null)
        {
            RpcErrors.FailedPrecondition($"Credential {c.Prefix} is active and not narrowed; there is nothing to reinstate.");
        }

        var caller = AuthInterceptor.GetCaller(context);
        var resolved = await db.Anomalies.Where(a => a.CredentialId == id && a.Status != Anomalies.AnomalyStatus.Resolved).ToListAsync(context.CancellationToken);
        foreach (var a in resolved)
        {
            a.Status = Anomalies.AnomalyStatus.Resolved;
            a.ResolvedAt = now;
            a.AcknowledgedBy ??= caller.Actor;
            a.AcknowledgedAt ??= now;
            a.Note = SecretScrubber.Scrub(note);
        }

        var previous = state == CredentialState.Suspended ? "suspended" : "narrowed";
        var suspendedBy = c.SuspendedBy;
        c.Status = CredentialState.Active;
        c.SuspendedAt = null;
        c.SuspendedBy = null;
        c.NarrowedLimits = null;
        audit.Record(db, caller, context, new AuditEntry("credential.reinstated", "credential", c.Id.ToString(), note, new Dictionary<string, string>
        {
            ["credential_id"] = c.Id.ToString(),
            ["prefix"] = c.Prefix,
            ["previous"] = previous,
            ["anomaly_id"] = suspendedBy?.ToString() ?? string.Empty,
            ["resolved_anomalies"] = string.Join(",", resolved.Select(a => a.Id)),
        }));
        await db.SaveChangesAsync(context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
        audit.Committed();
        await changes.PublishAsync(ChangeKind.Credential, c.Id, context.CancellationToken);
        return new ReinstateCredentialResponse { Credential = view.ToProto(now), ResolvedAnomalies = resolved.Count };
    }
}
