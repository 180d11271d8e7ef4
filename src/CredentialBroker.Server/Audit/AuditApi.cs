using System.Globalization;
using System.Text.Json;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Audit;

/// <summary>gRPC <c>AuditService</c>: read and verify the audit log (security and admin).</summary>
internal sealed class AuditApi(BrokerDbContext db, AuditVerifier verifier) : AuditService.AuditServiceBase
{
    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var pageSize = PageToken.Size(v, request.PageSize);
        var cursor = PageToken.Decode(v, request.PageToken, 1);
        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                before = id;
            }
            else
            {
                v.Add("page_token", "is not a token returned by this list call");
            }
        }

        if (request.Outcome.Length > 0 && request.Outcome is not (AuditLog.Success or AuditLog.Denied))
        {
            v.Add("outcome", "must be 'success' or 'denied'");
        }

        v.ThrowIfInvalid();
        var query = db.AuditEvents.AsNoTracking();
        if (before is { } b)
        {
            query = query.Where(e => e.Id < b);
        }

        if (request.Action.Length > 0)
        {
            query = query.Where(e => e.Action == request.Action);
        }

        if (request.TargetId.Length > 0)
        {
            query = query.Where(e => e.TargetId == request.TargetId);
        }

        if (request.Actor.Length > 0)
        {
            query = query.Where(e => e.Actor == request.Actor);
        }

        if (request.Outcome.Length > 0)
        {
            query = query.Where(e => e.Outcome == request.Outcome);
        }

        if (request.Since is { } since)
        {
            var s = since.ToDateTimeOffset();
            query = query.Where(e => e.OccurredAt >= s);
        }

        if (request.Until is { } until)
        {
            var u = until.ToDateTimeOffset();
            query = query.Where(e => e.OccurredAt < u);
        }

        var page = await query.OrderByDescending(e => e.Id).Take(pageSize + 1).ToListAsync(context.CancellationToken);
        var response = new ListAuditEventsResponse();
        if (page.Count > pageSize)
        {
            page.RemoveAt(page.Count - 1);
            response.NextPageToken = PageToken.Encode(page[^1].Id.ToString(CultureInfo.InvariantCulture));
        }

        response.Events.AddRange(page.Select(ToProto));
        return response;
    }

    public override async Task<VerifyAuditChainResponse> VerifyAuditChain(VerifyAuditChainRequest request, ServerCallContext context)
    {
        var result = await verifier.VerifyAsync(context.CancellationToken);
        return new VerifyAuditChainResponse
        {
            Ok = result.Ok,
            VerifiedCount = result.Verified,
            UnsealedCount = result.Unsealed,
            FirstBrokenSeq = result.BrokenSeq,
            FirstBrokenEventId = result.BrokenEventId,
            Problem = result.Problem ?? string.Empty,
        };
    }

    private static V1.AuditEvent ToProto(AuditEvent e)
    {
        var proto = new V1.AuditEvent
        {
            Id = e.Id,
            Seq = e.Seq ?? 0,
            Time = Timestamp.FromDateTimeOffset(e.OccurredAt),
            Actor = e.Actor,
            ActorRole = e.ActorRole is null ? Role.Unspecified : BrokerRoles.ToProto(BrokerRoles.FromDb(e.ActorRole)),
            Action = e.Action,
            TargetType = e.TargetType,
            TargetId = e.TargetId ?? string.Empty,
            Reason = e.Reason ?? string.Empty,
            Outcome = e.Outcome,
            Hash = e.Hash is null ? string.Empty : Convert.ToHexStringLower(e.Hash),
            PrevHash = e.PrevHash is null ? string.Empty : Convert.ToHexStringLower(e.PrevHash),
        };
        foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(e.Metadata) ?? [])
        {
            proto.Metadata[key] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }

        return proto;
    }
}
