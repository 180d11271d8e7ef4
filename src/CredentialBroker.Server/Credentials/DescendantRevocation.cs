using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Credentials;

/// <summary>
/// Revoking a credential revokes everything delegated from it, at any depth: one recursive UPDATE in
/// the caller's transaction, one audit event per descendant. The caller announces the returned ids
/// on the change feed after commit, so every replica's gateway refuses them at once.
/// </summary>
internal static class DescendantRevocation
{
    public static Task<List<Guid>> RevokeAsync(BrokerDbContext db, AuditLog audit, Caller caller, ServerCallContext context, Credential parent, string reason, DateTimeOffset now) =>
        RevokeAsync(db, entry => audit.Record(db, caller, context, entry), parent, reason, now, context.CancellationToken);

    /// <summary>The cascade with audit events written by <paramref name="record"/> (a job's system actor, for example).</summary>
    public static async Task<List<Guid>> RevokeAsync(BrokerDbContext db, Action<AuditEntry> record, Credential parent, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var because = SecretScrubber.Scrub($"parent credential {parent.Prefix} revoked: {reason}");
        var revoked = await db.Database.SqlQuery<RevokedDescendant>($"""
            WITH RECURSIVE descendants AS (
                SELECT id FROM credentials WHERE parent_id = {parent.Id}
                UNION ALL
                SELECT c.id FROM credentials c JOIN descendants d ON c.parent_id = d.id)
            UPDATE credentials c SET status = 'revoked', revoked_at = {now}, revocation_reason = {because}
            FROM descendants d
            WHERE c.id = d.id AND c.status IN ('active', 'suspended')
            RETURNING c.id AS "Id", c.prefix AS "Prefix", c.depth AS "Depth"
            """).ToListAsync(cancellationToken);
        if (revoked.Count == 0)
        {
            return [];
        }

        foreach (var d in revoked)
        {
            record(new AuditEntry("credential.revoked", "credential", d.Id.ToString(), because, new Dictionary<string, string>
            {
                ["prefix"] = d.Prefix,
                ["cascade_from"] = parent.Id.ToString(),
                ["depth"] = d.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
        }

        await db.SaveChangesAsync(cancellationToken);
        return revoked.Select(d => d.Id).ToList();
    }

    /// <summary>Row shape of the cascade's RETURNING clause.</summary>
    internal sealed record RevokedDescendant(Guid Id, string Prefix, int Depth);
}
