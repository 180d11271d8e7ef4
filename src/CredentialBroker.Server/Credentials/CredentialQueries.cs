using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Revocation;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Credentials;

/// <summary>Credential reads that account for mass revocations not yet written to the rows.</summary>
internal static class CredentialQueries
{
    /// <summary>Credentials with their purpose name and the id of the watermark covering them (active rows only).</summary>
    public static IQueryable<CredentialJoin> WithEnforcement(this BrokerDbContext db, IQueryable<Credential> credentials) =>
        from c in credentials
        join p in db.Purposes on c.PurposeId equals p.Id
        select new CredentialJoin
        {
            Row = c,
            PurposeName = p.Name,
            WatermarkId = c.Status == CredentialState.Active || c.Status == CredentialState.Suspended
                ? WatermarkFunctions.CredentialWatermark(c.OwnerId, c.PurposeId, c.ProviderName, c.WorkloadId, c.IssuedAt, c.Labels)
                : null,
        };

    /// <summary>Filters to credentials whose enforced state is <paramref name="state"/> at <paramref name="now"/>.</summary>
    public static IQueryable<CredentialJoin> InState(this IQueryable<CredentialJoin> query, CredentialState state, DateTimeOffset now) => state switch
    {
        CredentialState.Active => query.Where(j => j.Row.Status == CredentialState.Active && j.Row.ExpiresAt > now && j.WatermarkId == null),
        CredentialState.Suspended => query.Where(j => j.Row.Status == CredentialState.Suspended && j.Row.ExpiresAt > now && j.WatermarkId == null),
        CredentialState.Expired => query.Where(j => j.Row.Status == CredentialState.Expired
            || ((j.Row.Status == CredentialState.Active || j.Row.Status == CredentialState.Suspended) && j.Row.ExpiresAt <= now && j.WatermarkId == null)),
        _ => query.Where(j => j.Row.Status == CredentialState.Revoked
            || ((j.Row.Status == CredentialState.Active || j.Row.Status == CredentialState.Suspended) && j.WatermarkId != null)),
    };

    /// <summary>Loads the watermarks the joins refer to and builds views.</summary>
    public static async Task<List<CredentialView>> ToViewsAsync(this BrokerDbContext db, IReadOnlyList<CredentialJoin> joins, CancellationToken cancellationToken)
    {
        var ids = joins.Where(j => j.WatermarkId is not null).Select(j => j.WatermarkId!.Value).Distinct().ToList();
        var watermarks = ids.Count == 0
            ? new Dictionary<Guid, RevocationWatermark>()
            : await db.RevocationWatermarks.AsNoTracking().Where(w => ids.Contains(w.Id)).ToDictionaryAsync(w => w.Id, cancellationToken);
        return joins.Select(j => new CredentialView(j.Row, j.PurposeName, j.WatermarkId is { } id ? watermarks[id] : null)).ToList();
    }

    /// <summary>One credential as enforced now, or null.</summary>
    public static async Task<CredentialView?> FindViewAsync(this BrokerDbContext db, Guid id, bool track, CancellationToken cancellationToken)
    {
        var source = track ? db.Credentials : db.Credentials.AsNoTracking();
        var join = await db.WithEnforcement(source.Where(c => c.Id == id)).FirstOrDefaultAsync(cancellationToken);
        return join is null ? null : (await db.ToViewsAsync([join], cancellationToken))[0];
    }
}

/// <summary>Query shape of <see cref="CredentialQueries.WithEnforcement"/>.</summary>
internal sealed class CredentialJoin
{
    public required Credential Row { get; init; }
    public required string PurposeName { get; init; }
    public Guid? WatermarkId { get; init; }
}
