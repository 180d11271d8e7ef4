using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CredentialBroker.Server.Delivery;

/// <summary>
/// Lists every direct-delivery provider's service accounts (OpenAI project) or active API keys
/// (Anthropic) and records those the broker neither created nor holds in its pool as shadow keys:
/// first and last seen, an audit event when one is first found, removed from the list once the
/// broker knows it. Providers whose listing fails are logged and skipped.
/// </summary>
internal sealed partial class ShadowKeyReconciler(
    IServiceScopeFactory scopes,
    DirectDelivery direct,
    UpstreamAdminClient api,
    AuditLog audit,
    TimeProvider time,
    ILogger<ShadowKeyReconciler> logger)
{
    public const string Job = "shadow-key-reconcile";

    /// <summary>Reconciles every provider with an admin key; returns the shadow keys found for the first time.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
        var providers = await db.Providers.AsNoTracking()
            .Where(p => (p.AdminKeyEnvelope != null || p.AdminKeyRef != null) && (p.Kind == "anthropic" || (p.Kind == "openai" && p.ProjectId != null)))
            .ToListAsync(cancellationToken);
        var found = 0;
        foreach (var provider in providers)
        {
            List<UpstreamAccount> accounts;
            try
            {
                accounts = await api.ListAsync(await direct.TargetAsync(provider, cancellationToken), cancellationToken);
            }
            catch (UpstreamAdminException ex)
            {
                LogListFailed(logger, provider.Name, ex.Message);
                continue;
            }

            found += await RecordAsync(db, provider, accounts, cancellationToken);
        }

        if (found > 0)
        {
            audit.Committed();
        }

        return found;
    }

    private async Task<int> RecordAsync(BrokerDbContext db, Providers.Provider provider, List<UpstreamAccount> accounts, CancellationToken cancellationToken)
    {
        var now = time.GetDbNow();
        // Upstream ids are unique within a provider's organization, and several broker providers may
        // share one organization or project: what any of them issued or holds is known.
        var listed = accounts.Select(a => a.Id).ToList();
        var known = (await db.UpstreamKeys.Where(u => listed.Contains(u.UpstreamId)).Select(u => u.UpstreamId)
            .Concat(db.PoolKeys.Where(k => listed.Contains(k.UpstreamId)).Select(k => k.UpstreamId))
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var shadows = await db.ShadowKeys.Where(s => s.ProviderId == provider.Id).ToDictionaryAsync(s => s.UpstreamId, cancellationToken);
        var found = 0;
        foreach (var account in accounts.Where(a => !known.Contains(a.Id)))
        {
            if (shadows.TryGetValue(account.Id, out var seen))
            {
                seen.LastSeen = now;
                continue;
            }

            db.ShadowKeys.Add(new ShadowKey { ProviderId = provider.Id, UpstreamId = account.Id, Name = account.Name, FirstSeen = now, LastSeen = now });
            audit.RecordSystem(db, Job, new AuditEntry("provider.shadow_key_found", "provider", provider.Id.ToString(),
                "An upstream key/account exists that the broker did not issue: no owner, no purpose, no expiry.",
                new Dictionary<string, string> { ["provider"] = provider.Name, ["upstream_id"] = account.Id, ["name"] = account.Name }));
            LogShadow(logger, provider.Name, account.Id, account.Name);
            found++;
        }

        // A shadow the broker now knows (an issuance that raced with the listing) is not a shadow.
        db.ShadowKeys.RemoveRange(shadows.Values.Where(s => known.Contains(s.UpstreamId)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another replica recorded the same shadow keys at the same time; its run counts.
            db.ChangeTracker.Clear();
            return 0;
        }

        return found;
    }

    [LoggerMessage(7121, LogLevel.Warning, "Shadow keys: provider '{Provider}' has {UpstreamId} ('{Name}') which the broker did not issue; see 'brokerctl providers shadow-keys'.")]
    private static partial void LogShadow(ILogger logger, string provider, string upstreamId, string name);

    [LoggerMessage(7122, LogLevel.Warning, "Shadow keys: listing the accounts of provider '{Provider}' failed: {Reason}")]
    private static partial void LogListFailed(ILogger logger, string provider, string reason);
}
