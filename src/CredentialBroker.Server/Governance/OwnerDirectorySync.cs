using System.Globalization;
using CredentialBroker.Server.Admin;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Applies a validated owner directory (OWASP NHI-1 offboarding): listed owners are created or
/// updated and become directory-managed; a directory-managed owner no longer listed is marked
/// missing, and deactivated through <see cref="Offboarding"/> once
/// <see cref="GovernanceOptions.OffboardingGrace"/> has passed. Owners created by hand and never
/// listed are left alone. Syncs are serialised by an advisory lock, so the job and the RPC on any
/// replica never interleave.
/// </summary>
internal sealed class OwnerDirectorySync(BrokerDbContext db, AuditLog audit, Offboarding offboarding, IOptions<BrokerOptions> options, TimeProvider time, ILogger<OwnerDirectorySync> logger)
{
    public const string Job = "directory-sync";
    private const long LockKey = 0x4342_4449_5253_594E;

    public async Task<OwnerDirectoryPlan> SyncAsync(IReadOnlyList<OwnerDirectoryEntry> entries, bool dryRun, OffboardingActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetDbNow();
        var grace = options.Value.Governance.OffboardingGrace;
        var plan = new OwnerDirectoryPlan(entries.Count);
        var leaving = new List<(Guid Id, DateTimeOffset MissingSince)>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [LockKey], cancellationToken);
            var owners = await db.Owners.ToDictionaryAsync(o => o.Name, StringComparer.Ordinal, cancellationToken);
            foreach (var entry in entries)
            {
                if (!owners.TryGetValue(entry.Name, out var owner))
                {
                    owner = new Owner { Id = Guid.CreateVersion7(now), Name = entry.Name, Email = entry.Email, ExternalId = entry.ExternalId, DirectoryManaged = true, Active = true, CreatedAt = now };
                    db.Owners.Add(owner);
                    plan.Created.Add(entry.Name);
                    Record(actor, new AuditEntry("owner.created", "owner", owner.Id.ToString(), "listed in the owner directory", Details(owner)));
                    continue;
                }

                var changed = new[] { ("email", owner.Email != entry.Email), ("external_id", owner.ExternalId != entry.ExternalId), ("directory_managed", !owner.DirectoryManaged) }
                    .Where(c => c.Item2).Select(c => c.Item1).ToList();
                if (changed.Count > 0)
                {
                    (owner.Email, owner.ExternalId, owner.DirectoryManaged) = (entry.Email, entry.ExternalId, true);
                    plan.Updated.Add(entry.Name);
                    var details = Details(owner);
                    details["changed"] = string.Join(',', changed);
                    Record(actor, new AuditEntry("owner.updated", "owner", owner.Id.ToString(), "changed in the owner directory", details));
                }

                if (owner.MissingSince is not null)
                {
                    owner.MissingSince = null;
                    plan.Reappeared.Add(entry.Name);
                    Record(actor, new AuditEntry("owner.directory_reappeared", "owner", owner.Id.ToString(), "listed in the owner directory again"));
                }
            }

            var listed = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var owner in owners.Values.Where(o => o.DirectoryManaged && o.Active && !listed.Contains(o.Name)).OrderBy(o => o.Name, StringComparer.Ordinal))
            {
                if (owner.MissingSince is null)
                {
                    owner.MissingSince = now;
                    Record(actor, new AuditEntry("owner.directory_missing", "owner", owner.Id.ToString(),
                        $"no longer listed in the owner directory; deactivated after {grace:c} unless it reappears"));
                }

                if (now - owner.MissingSince.Value >= grace)
                {
                    plan.Deactivated.Add(owner.Name);
                    leaving.Add((owner.Id, owner.MissingSince.Value));
                }
                else
                {
                    plan.Missing.Add(owner.Name);
                }
            }

            if (dryRun)
            {
                // The transaction is disposed without commit: a dry run writes nothing.
                db.ChangeTracker.Clear();
                return plan;
            }

            Record(actor, new AuditEntry("owner.directory_synced", "owner_directory", null, null, new Dictionary<string, string>
            {
                ["listed"] = Count(plan.Listed),
                ["created"] = Count(plan.Created.Count),
                ["updated"] = Count(plan.Updated.Count),
                ["missing"] = Count(plan.Missing.Count),
                ["deactivated"] = Count(plan.Deactivated.Count),
            }));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            audit.Committed();
        }

        foreach (var (id, missingSince) in leaving)
        {
            await offboarding.DeactivateOwnerAsync(id, $"removed from directory (missing since {missingSince:u}, grace {grace:c})", actor, cancellationToken);
        }

        GovernanceLog.DirectorySynced(logger, plan.Listed, plan.Created.Count, plan.Updated.Count, plan.Missing.Count, plan.Deactivated.Count);
        return plan;
    }

    private void Record(OffboardingActor actor, AuditEntry entry) => actor.Record(audit, db, entry);

    /// <summary>Name and directory id; like CreateOwner, not the email address (personal data in an append-only log).</summary>
    private static Dictionary<string, string> Details(Owner owner) => new()
    {
        ["name"] = owner.Name,
        ["external_id"] = owner.ExternalId ?? string.Empty,
        ["source"] = "directory",
    };

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
}
