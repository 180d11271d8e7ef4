using System.Globalization;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Approvals;

/// <summary>ListApprovals: filters, role scoping and keyset paging (newest request first).</summary>
internal sealed class ApprovalLister(BrokerDbContext db, AccessGuard guard, TimeProvider time)
{
    public async Task<ListApprovalsResponse> ListAsync(ListApprovalsRequest request, ServerCallContext context)
    {
        var caller = AuthInterceptor.GetCaller(context);
        var v = new RequestValidator();
        var workloadId = v.OptionalId("workload_id", request.WorkloadId);
        var purposeId = v.OptionalId("purpose_id", request.PurposeId);
        var pageSize = PageToken.Size(v, request.PageSize);
        var cursor = PageToken.Decode(v, request.PageToken, 2);
        (DateTimeOffset RequestedAt, Guid Id)? after = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && Guid.TryParse(cursor[1], out var lastId))
            {
                after = (new DateTimeOffset(ticks, TimeSpan.Zero), lastId);
            }
            else
            {
                v.Add("page_token", "is not a token returned by this list call");
            }
        }

        if (!Enum.IsDefined(request.Status))
        {
            v.Add("status", "is not a known approval status");
        }

        v.ThrowIfInvalid();
        if (caller.Role == BrokerRole.Workload)
        {
            if (workloadId is not null && workloadId != caller.WorkloadId)
            {
                throw await guard.DenyAsync(context, StatusCode.PermissionDenied, "A workload may list only its own approvals.", "approval.list.denied", "workload", workloadId.ToString());
            }

            workloadId = caller.WorkloadId;
        }

        var now = time.GetDbNow();
        var rows =
            from a in db.ToolApprovals.AsNoTracking()
            join w in db.Workloads on a.WorkloadId equals w.Id
            join p in db.Purposes on a.PurposeId equals p.Id
            select new { Approval = a, w.Identity, w.OwnerId, PurposeName = p.Name };
        if (caller.Role == BrokerRole.Owner)
        {
            rows = rows.Where(r => r.OwnerId == caller.OwnerId);
        }

        if (workloadId is { } wid)
        {
            rows = rows.Where(r => r.Approval.WorkloadId == wid);
        }

        if (purposeId is { } pid)
        {
            rows = rows.Where(r => r.Approval.PurposeId == pid);
        }

        rows = request.Status switch
        {
            ApprovalStatus.Pending => rows.Where(r => r.Approval.Status == ApprovalState.Pending),
            ApprovalStatus.Denied => rows.Where(r => r.Approval.Status == ApprovalState.Denied),
            ApprovalStatus.Approved => rows.Where(r => r.Approval.Status == ApprovalState.Approved && r.Approval.ExpiresAt > now),
            ApprovalStatus.Expired => rows.Where(r => r.Approval.Status == ApprovalState.Approved && r.Approval.ExpiresAt <= now),
            _ => rows,
        };
        if (after is { } cursorAt)
        {
            rows = rows.Where(r => EF.Functions.LessThan(ValueTuple.Create(r.Approval.RequestedAt, r.Approval.Id), ValueTuple.Create(cursorAt.RequestedAt, cursorAt.Id)));
        }

        var page = await rows.OrderByDescending(r => r.Approval.RequestedAt).ThenByDescending(r => r.Approval.Id)
            .Take(pageSize + 1).ToListAsync(context.CancellationToken);
        var more = page.Count > pageSize;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        var response = new ListApprovalsResponse { Approvals = { page.Select(r => ApprovalMapper.ToProto(r.Approval, r.Identity, r.PurposeName, now)) } };
        if (more)
        {
            var last = page[^1].Approval;
            response.NextPageToken = PageToken.Encode(last.RequestedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), last.Id.ToString());
        }

        return response;
    }
}
