using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Revocation;

/// <summary>
/// gRPC <c>RevocationService</c>. A mass revocation is one watermark row written with its audit
/// event in one transaction: enforcement is immediate whatever the number of credentials, and
/// the rows are marked later by <see cref="RevocationMarker"/>.
/// </summary>
internal sealed class RevocationApi(BrokerDbContext db, AuditLog audit, RevocationMarker marker, TimeProvider time, Delivery.UpstreamKeyCleaner cleaner, Gateway.ChangeFeed changes)
    : RevocationService.RevocationServiceBase
{
    public override async Task<RevokeMatchingResponse> RevokeMatching(RevokeMatchingRequest request, ServerCallContext context)
    {
        var caller = AuthInterceptor.GetCaller(context);
        var now = time.GetDbNow();
        var v = new RequestValidator();
        var reason = v.Required("reason", request.Reason, 512);
        var watermark = SelectorMapper.ToWatermark(v, request.Selector, now);
        v.ThrowIfInvalid();
        await SelectorMapper.EnsureReferencesExistAsync(db, watermark!, context.CancellationToken);

        watermark!.Id = Guid.CreateVersion7(now);
        watermark.EffectiveAt = now;
        watermark.Reason = SecretScrubber.Scrub(reason);
        watermark.Actor = caller.Actor;

        if (request.DryRun)
        {
            await using var dry = await db.Database.BeginTransactionAsync(context.CancellationToken);
            var wouldMatch = await MassRevocation.WriteAsync(db, watermark, context.CancellationToken);
            await dry.RollbackAsync(context.CancellationToken);
            return new RevokeMatchingResponse { MatchedCount = wouldMatch, DryRun = true };
        }

        // Commit the watermark first: enforcement starts at the commit, and counting what it covers
        // takes time proportional to the matching rows (1.6 s for a million), so it comes after.
        await using (var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken))
        {
            await MassRevocation.WriteUncountedAsync(db, watermark, context.CancellationToken);
            audit.Record(db, caller, context, new AuditEntry("credentials.revoked_matching", "revocation", watermark.Id.ToString(), reason, new Dictionary<string, string>
            {
                ["selector"] = SelectorMapper.Describe(watermark),
            }));
            await db.SaveChangesAsync(context.CancellationToken);
            await transaction.CommitAsync(context.CancellationToken);
        }

        changes.Committed(Gateway.ChangeKind.Watermark, watermark.Id);
        audit.Committed();
        marker.Signal();
        cleaner.Signal();
        var matched = await MassRevocation.CountAfterCommitAsync(db, watermark, context.CancellationToken);
        return new RevokeMatchingResponse { MatchedCount = matched, RevocationId = watermark.Id.ToString() };
    }

    public override async Task<V1.Revocation> GetRevocation(GetRevocationRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        v.ThrowIfInvalid();
        var watermark = await db.RevocationWatermarks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, context.CancellationToken);
        if (watermark is null)
        {
            RpcErrors.NotFound($"Revocation {id} does not exist.");
        }

        return SelectorMapper.ToProto(watermark);
    }
}
