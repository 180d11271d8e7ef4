using System.Globalization;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Persistence;
using CredentialBroker.V1;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Anomalies;

/// <summary>ListAnomalies: filters and keyset paging, newest first.</summary>
internal sealed class AnomalyLister(BrokerDbContext db)
{
    public async Task<ListAnomaliesResponse> ListAsync(ListAnomaliesRequest request, CancellationToken cancellationToken)
    {
        var v = new RequestValidator();
        var status = AnomalyMapper.FromProto(request.Status, v);
        var kind = AnomalyMapper.FromProto(request.Kind, v);
        var credentialId = v.OptionalId("credential_id", request.CredentialId);
        var pageSize = PageToken.Size(v, request.PageSize);
        var cursor = PageToken.Decode(v, request.PageToken, 2);
        (DateTimeOffset DetectedAt, Guid Id)? after = null;
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

        v.ThrowIfInvalid();
        var rows = db.Anomalies.AsNoTracking();
        if (status is { } s)
        {
            rows = rows.Where(a => a.Status == s);
        }

        if (kind is { } k)
        {
            rows = rows.Where(a => a.Kind == k);
        }

        if (credentialId is { } c)
        {
            rows = rows.Where(a => a.CredentialId == c);
        }

        if (after is { } x)
        {
            rows = rows.Where(a => EF.Functions.LessThan(ValueTuple.Create(a.DetectedAt, a.Id), ValueTuple.Create(x.DetectedAt, x.Id)));
        }

        var page = await rows.OrderByDescending(a => a.DetectedAt).ThenByDescending(a => a.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        var more = page.Count > pageSize;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        var response = new ListAnomaliesResponse { Anomalies = { page.Select(AnomalyMapper.ToProto) } };
        if (more)
        {
            response.NextPageToken = PageToken.Encode(page[^1].DetectedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), page[^1].Id.ToString());
        }

        return response;
    }
}
