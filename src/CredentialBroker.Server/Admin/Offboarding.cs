using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Revocation;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Admin;

/// <summary>
/// The one way an owner, a purpose or a workload is taken out of service: in one transaction the
/// row is flipped (only if it is still in service, so a second call or a concurrent one writes
/// nothing), a revocation watermark over its credentials is written (enforced everywhere as soon as
/// it commits, see <see cref="MassRevocation"/>) and the change is audited. The background marker
/// then writes the revocation onto the credential rows.
/// </summary>
internal sealed class Offboarding(BrokerDbContext db, AuditLog audit, RevocationMarker marker, Delivery.UpstreamKeyCleaner cleaner, Gateway.ChangeFeed changes, TimeProvider time)
{
    /// <summary>Deactivates an active owner; false when it was already inactive.</summary>
    public Task<bool> DeactivateOwnerAsync(Guid id, string reason, OffboardingActor actor, CancellationToken cancellationToken) =>
        OffboardAsync(
            now => db.Owners.Where(o => o.Id == id && o.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Active, false).SetProperty(o => o.DeactivatedAt, now), cancellationToken),
            w => w.OwnerId = id, "owner deactivated: ", new AuditEntry("owner.deactivated", "owner", id.ToString(), reason), actor, cancellationToken);

    /// <summary>Retires a purpose in use; false when it was already retired.</summary>
    public Task<bool> RetirePurposeAsync(Guid id, string reason, OffboardingActor actor, CancellationToken cancellationToken) =>
        OffboardAsync(
            now => db.Purposes.Where(p => p.Id == id && p.RetiredAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.RetiredAt, now).SetProperty(p => p.RetirementReason, SecretScrubber.Scrub(reason)), cancellationToken),
            w => w.PurposeId = id, "purpose retired: ", new AuditEntry("purpose.retired", "purpose", id.ToString(), reason), actor, cancellationToken);

    /// <summary>Deregisters a registered workload; false when it was already deregistered.</summary>
    public Task<bool> DeregisterWorkloadAsync(Guid id, string reason, OffboardingActor actor, CancellationToken cancellationToken) =>
        OffboardAsync(
            now => db.Workloads.Where(w => w.Id == id && w.DeregisteredAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.DeregisteredAt, now).SetProperty(w => w.DeregistrationReason, SecretScrubber.Scrub(reason)), cancellationToken),
            w => w.WorkloadId = id, "workload deregistered: ", new AuditEntry("workload.deregistered", "workload", id.ToString(), reason), actor, cancellationToken);

    private async Task<bool> OffboardAsync(
        Func<DateTimeOffset, Task<int>> takeOutOfService, Action<RevocationWatermark> select, string reasonPrefix, AuditEntry entry,
        OffboardingActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetDbNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await takeOutOfService(now) == 0)
        {
            // Already out of service (or a concurrent call got there first): nothing to write.
            return false;
        }

        var watermark = new RevocationWatermark
        {
            Id = Guid.CreateVersion7(now),
            EffectiveAt = now,
            Reason = reasonPrefix + SecretScrubber.Scrub(entry.Reason ?? string.Empty),
            Actor = actor.Caller.Actor,
        };
        select(watermark);
        // Not counted here: enforcement starts at the commit, and a count over every covered row (1.6 s
        // for a million) would hold it back. The count is recorded on the revocation after the commit.
        await MassRevocation.WriteUncountedAsync(db, watermark, cancellationToken);
        actor.Record(audit, db, entry with { Details = new Dictionary<string, string> { ["revocation_id"] = watermark.Id.ToString() } });

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        changes.Committed(Gateway.ChangeKind.Watermark, watermark.Id);
        audit.Committed();
        marker.Signal();
        // Directly delivered provider keys of the revoked credentials are deleted upstream.
        cleaner.Signal();
        await transaction.DisposeAsync();
        // Committed already: a caller that stops waiting must not leave the count unrecorded.
        await MassRevocation.CountAfterCommitAsync(db, watermark, CancellationToken.None);
        return true;
    }
}
