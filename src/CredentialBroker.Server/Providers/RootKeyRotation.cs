using System.Security.Cryptography;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Providers;

/// <summary>
/// Master-key rotation: at start-up, re-wraps the data key of every root key still wrapped under
/// a previous master key (Broker:PreviousMasterKeys) under the current one. One replica does it
/// (advisory lock); each re-wrap is audited. The root keys themselves are never decrypted to disk.
/// </summary>
internal sealed partial class RootKeyRotation(IServiceScopeFactory scopes, RootKeyProtector keys, AuditLog audit, ILogger<RootKeyRotation> logger)
{
    public async Task<int> RewrapAsync(CancellationToken cancellationToken)
    {
        if (!keys.IsConfigured)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('credentialbroker.root-key-rewrap'))", cancellationToken);
        var providers = await db.Providers.Where(p => p.RootKeyEnvelope != null || p.AdminKeyEnvelope != null).ToListAsync(cancellationToken);
        var rewrapped = 0;
        foreach (var provider in providers)
        {
            var root = Rewrap(provider.Name, provider.Name, provider.RootKeyEnvelope, "root key");
            var admin = Rewrap(provider.Name, Admin.ProviderKeyFields.AdminEnvelopeName(provider.Name), provider.AdminKeyEnvelope, "admin key");
            if (root is null && admin is null)
            {
                continue;
            }

            (provider.RootKeyEnvelope, provider.AdminKeyEnvelope) = (root ?? provider.RootKeyEnvelope, admin ?? provider.AdminKeyEnvelope);
            audit.RecordSystem(db, "master-key-rotation", new AuditEntry("provider.root_key_rewrapped", "provider", provider.Id.ToString(), null,
                new Dictionary<string, string> { ["name"] = provider.Name, ["keys"] = string.Join(',', new[] { root is null ? null : "root", admin is null ? null : "admin" }.OfType<string>()) }));
            rewrapped++;
        }

        // Pool keys (direct delivery) are envelopes under the same master key.
        var pooled = await (from k in db.PoolKeys join p in db.Providers on k.ProviderId equals p.Id where k.Status != Delivery.PoolKey.Disabled select new { Key = k, p.Name })
            .ToListAsync(cancellationToken);
        foreach (var item in pooled)
        {
            if (Rewrap(item.Name, Delivery.PoolKey.EnvelopeName(item.Name, item.Key.UpstreamId), item.Key.KeyEnvelope, "pool key " + item.Key.UpstreamId) is { } envelope)
            {
                item.Key.KeyEnvelope = envelope;
                rewrapped++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (rewrapped > 0)
        {
            audit.Committed();
            LogRewrapped(logger, rewrapped);
        }

        return rewrapped;
    }

    private string? Rewrap(string provider, string envelopeName, string? envelope, string what)
    {
        try
        {
            return envelope is null ? null : keys.Rewrap(envelopeName, envelope);
        }
        catch (CryptographicException ex)
        {
            LogCannotRewrap(logger, provider, what, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Master-key rotation: {Count} provider key(s) (root, admin, pool) re-wrapped under the current master key. Once every replica runs with it, remove the previous keys from Broker:PreviousMasterKeys.")]
    private static partial void LogRewrapped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Master-key rotation: the {What} of provider '{Provider}' cannot be re-wrapped: {Reason} Calls to it fail until the right master key is configured.")]
    private static partial void LogCannotRewrap(ILogger logger, string provider, string what, string reason);
}
