using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Approvals;

/// <summary>
/// gRPC <c>ApprovalService</c>: a workload (or its owner) asks to use high-risk tools under a purpose;
/// a second person with the security role approves or denies. Every step is audited; decisions are
/// announced so every replica's gateway applies them at once.
/// </summary>
internal sealed class ApprovalApi(
    BrokerDbContext db,
    AuditLog audit,
    AccessGuard guard,
    ChangeFeed changes,
    IOptions<BrokerOptions> options,
    TimeProvider time) : ApprovalService.ApprovalServiceBase
{
    private readonly ApprovalOptions _options = options.Value.Approvals;

    public override async Task<V1.ToolApproval> RequestToolApproval(RequestToolApprovalRequest request, ServerCallContext context)
    {
        var caller = AuthInterceptor.GetCaller(context);
        var v = new RequestValidator();
        var workloadId = v.OptionalId("workload_id", request.WorkloadId);
        var purposeId = v.Id("purpose_id", request.PurposeId);
        var tools = ToolPatterns.Validate(v, "tools", request.Tools, required: true);
        var justification = v.Required("justification", request.Justification, 2000);
        var ttl = v.Duration("ttl", request.Ttl, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650));
        if (workloadId is null && caller.Role != BrokerRole.Workload)
        {
            v.Add("workload_id", "is required: name the workload that will use the tools");
        }

        v.ThrowIfInvalid();
        const string refused = "approval.request.denied";
        var target = workloadId ?? caller.WorkloadId!.Value;
        var workload = await db.Workloads.AsNoTracking().FirstOrDefaultAsync(w => w.Id == target, context.CancellationToken);
        if (workload is null)
        {
            RpcErrors.NotFound($"Workload {target} does not exist.");
        }

        if ((caller.Role == BrokerRole.Workload && workload.Id != caller.WorkloadId) || (caller.Role == BrokerRole.Owner && workload.OwnerId != caller.OwnerId))
        {
            throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                $"Only workload '{workload.Identity}' itself or its owner may request approvals for it.", refused, "workload", workload.Id.ToString());
        }

        var purpose = await db.Purposes.AsNoTracking().FirstOrDefaultAsync(p => p.Id == purposeId, context.CancellationToken);
        if (purpose is null)
        {
            RpcErrors.NotFound($"Purpose {purposeId} does not exist.");
        }

        var highRisk = purpose.Gateway.HighRiskTools;
        if (highRisk.Count == 0)
        {
            RpcErrors.FailedPrecondition($"Purpose '{purpose.Name}' names no high-risk tools; its tools need no approval.");
        }

        for (var i = 0; i < tools.Count; i++)
        {
            if (!ToolPatterns.AnyMatches(highRisk, tools[i]))
            {
                v.Add($"tools[{i}]", $"'{RequestValidator.Clip(tools[i])}' is not a high-risk tool of purpose '{purpose.Name}' (high-risk: {string.Join(", ", highRisk)}); it needs no approval");
            }
        }

        v.ThrowIfInvalid();
        var now = time.GetDbNow();
        var approval = new ToolApproval
        {
            Id = Guid.CreateVersion7(now),
            WorkloadId = workload.Id,
            PurposeId = purpose.Id,
            Tools = tools,
            Justification = justification,
            Status = ApprovalState.Pending,
            RequestedTtl = Clamp(ttl ?? _options.DefaultTtl),
            RequestedBy = caller.Actor,
            RequesterOwnerId = caller.OwnerId ?? workload.OwnerId,
            RequestedAt = now,
        };
        db.ToolApprovals.Add(approval);
        audit.Record(db, caller, context, new AuditEntry("approval.requested", "approval", approval.Id.ToString(), justification, Details(approval, workload.Identity, purpose.Name)));
        await db.SaveChangesAsync(context.CancellationToken);
        audit.Committed();
        return ApprovalMapper.ToProto(approval, workload.Identity, purpose.Name, now);
    }

    public override Task<V1.ToolApproval> ApproveToolUse(ApproveToolUseRequest request, ServerCallContext context) =>
        DecideAsync(request.Id, request.Note, approve: true, context);

    public override Task<V1.ToolApproval> DenyToolUse(DenyToolUseRequest request, ServerCallContext context) =>
        DecideAsync(request.Id, request.Note, approve: false, context);

    public override Task<ListApprovalsResponse> ListApprovals(ListApprovalsRequest request, ServerCallContext context) =>
        new ApprovalLister(db, guard, time).ListAsync(request, context);

    private async Task<V1.ToolApproval> DecideAsync(string rawId, string rawNote, bool approve, ServerCallContext context)
    {
        var caller = AuthInterceptor.GetCaller(context);
        var v = new RequestValidator();
        var id = v.Id("id", rawId);
        var note = v.Required("note", rawNote, 1000);
        v.ThrowIfInvalid();

        var found = await (
            from a in db.ToolApprovals
            where a.Id == id
            join w in db.Workloads on a.WorkloadId equals w.Id
            join p in db.Purposes on a.PurposeId equals p.Id
            select new { Approval = a, WorkloadIdentity = w.Identity, PurposeName = p.Name }).FirstOrDefaultAsync(context.CancellationToken);
        if (found is null)
        {
            RpcErrors.NotFound($"Approval {id} does not exist.");
        }

        var approval = found.Approval;
        var refused = approve ? "approval.approve.denied" : "approval.deny.denied";
        var sameOwner = caller.OwnerId is { } ownerId && ownerId == approval.RequesterOwnerId;
        if (caller.Actor == approval.RequestedBy || sameOwner)
        {
            throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                $"Two-person rule: approval {id} was requested by {approval.RequestedBy}" + (sameOwner ? ", and you act for the same owner" : string.Empty)
                + $"; someone else with the security role must {(approve ? "approve" : "deny")} it.", refused, "approval", id.ToString());
        }

        var now = time.GetDbNow();
        if (approve ? approval.Status != ApprovalState.Pending : approval.Status == ApprovalState.Denied)
        {
            var state = ApprovalMapper.Status(approval, now).ToString().ToLowerInvariant();
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                $"Approval {id} is {state}; only {(approve ? "a pending request can be approved; ask for a new one" : "pending or approved ones can be denied")}.", refused, "approval", id.ToString());
        }

        approval.Status = approve ? ApprovalState.Approved : ApprovalState.Denied;
        approval.DecidedBy = caller.Actor;
        approval.DecidedByOwnerId = caller.OwnerId;
        approval.DecidedAt = now;
        approval.DecisionNote = SecretScrubber.Scrub(note);
        approval.ExpiresAt = approve ? now + Clamp(approval.RequestedTtl) : approval.ExpiresAt;
        var details = Details(approval, found.WorkloadIdentity, found.PurposeName);
        if (approval.ExpiresAt is { } expires)
        {
            details["expires_at"] = expires.ToString("O");
        }

        audit.Record(db, caller, context, new AuditEntry(approve ? "approval.approved" : "approval.denied", "approval", approval.Id.ToString(), note, details));
        await db.SaveChangesAsync(context.CancellationToken);
        audit.Committed();
        await changes.PublishAsync(ChangeKind.Approval, approval.WorkloadId, context.CancellationToken);
        return ApprovalMapper.ToProto(approval, found.WorkloadIdentity, found.PurposeName, now);
    }

    private TimeSpan Clamp(TimeSpan ttl) => ttl > _options.MaxTtl ? _options.MaxTtl : ttl;

    private static Dictionary<string, string> Details(ToolApproval a, string workloadIdentity, string purposeName) => new()
    {
        ["workload"] = workloadIdentity,
        ["purpose"] = purposeName,
        ["tools"] = string.Join(",", a.Tools),
        ["requested_by"] = a.RequestedBy,
    };
}
