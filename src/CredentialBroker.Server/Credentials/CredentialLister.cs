using System.Globalization;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Credentials;

/// <summary>ListCredentials: filters, role scoping and keyset paging (newest first).</summary>
internal sealed class CredentialLister(BrokerDbContext db, AccessGuard guard, TimeProvider time)
{
    public async Task<ListCredentialsResponse> ListAsync(ListCredentialsRequest request, ServerCallContext context)
    {
        var caller = AuthInterceptor.GetCaller(context);
        var v = new RequestValidator();
        var ownerId = v.OptionalId("owner_id", request.OwnerId);
        var purposeId = v.OptionalId("purpose_id", request.PurposeId);
        var workloadId = v.OptionalId("workload_id", request.WorkloadId);
        var provider = v.MaxLength("provider", request.Provider, 64);
        var pageSize = PageToken.Size(v, request.PageSize);
        var cursor = PageToken.Decode(v, request.PageToken, 2);
        (DateTimeOffset IssuedAt, Guid Id)? after = null;
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

        CredentialState? state = request.Status switch
        {
            CredentialStatus.Unspecified => null,
            CredentialStatus.Active => CredentialState.Active,
            CredentialStatus.Expired => CredentialState.Expired,
            CredentialStatus.Revoked => CredentialState.Revoked,
            CredentialStatus.Suspended => CredentialState.Suspended,
            _ => Invalid(v),
        };
        v.ThrowIfInvalid();

        // Workloads and owners see only their own; naming someone else's is a denial, not an empty page.
        if (caller.Role == BrokerRole.Workload)
        {
            if ((workloadId is not null && workloadId != caller.WorkloadId) || (ownerId is not null && ownerId != caller.OwnerId))
            {
                throw await guard.DenyAsync(context, StatusCode.PermissionDenied, "A workload may list only its own credentials.", "credential.list.denied", "workload", workloadId?.ToString());
            }

            workloadId = caller.WorkloadId;
        }
        else if (caller.Role == BrokerRole.Owner)
        {
            if (ownerId is not null && ownerId != caller.OwnerId)
            {
                throw await guard.DenyAsync(context, StatusCode.PermissionDenied, "An owner may list only its own credentials.", "credential.list.denied", "owner", ownerId.ToString());
            }

            ownerId = caller.OwnerId;
        }

        var rows = db.Credentials.AsNoTracking();
        if (ownerId is { } o)
        {
            rows = rows.Where(c => c.OwnerId == o);
        }

        if (purposeId is { } p)
        {
            rows = rows.Where(c => c.PurposeId == p);
        }

        if (workloadId is { } w)
        {
            rows = rows.Where(c => c.WorkloadId == w);
        }

        if (provider.Length > 0)
        {
            rows = rows.Where(c => c.ProviderName == provider);
        }

        if (request.Irrevocable)
        {
            rows = rows.Where(c => db.UpstreamKeys.Any(u => u.CredentialId == c.Id && u.State == Delivery.UpstreamKey.Irrevocable));
        }

        if (after is { } a)
        {
            rows = rows.Where(c => EF.Functions.LessThan(ValueTuple.Create(c.IssuedAt, c.Id), ValueTuple.Create(a.IssuedAt, a.Id)));
        }

        var now = time.GetDbNow();
        var query = db.WithEnforcement(rows);
        if (state is { } s)
        {
            query = query.InState(s, now);
        }

        var page = await query
            .OrderByDescending(j => j.Row.IssuedAt).ThenByDescending(j => j.Row.Id)
            .Take(pageSize + 1)
            .ToListAsync(context.CancellationToken);
        var more = page.Count > pageSize;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        var views = await db.ToViewsAsync(page, context.CancellationToken);
        var response = new ListCredentialsResponse { Credentials = { views.Select(x => x.ToProto(now)) } };
        await Delivery.UpstreamStates.AnnotateAsync(db, response.Credentials, context.CancellationToken);
        if (more)
        {
            var last = page[^1].Row;
            response.NextPageToken = PageToken.Encode(last.IssuedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), last.Id.ToString());
        }

        return response;
    }

    private static CredentialState? Invalid(RequestValidator v)
    {
        v.Add("status", "is not a known credential status");
        return null;
    }
}
