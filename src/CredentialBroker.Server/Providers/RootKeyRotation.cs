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
        var providers = await db.Providers.Where(p => p.RootKeyEnvelope != null).ToListAsync(cancellationToken);
        var rewrapped = 0;
        foreach (var provider in providers)
        {
            try
            {
                if (keys.Rewrap(provider.Name, provider.RootKeyEnvelope!) is { } envelope)
                {
                    provider.RootKeyEnvelope = envelope;
                    audit.RecordSystem(db, "master-key-rotation", new AuditEntry("provider.root_key_rewrapped", "provider", provider.Id.ToString(), null,
                        new Dictionary<string, string> { ["name"] = provider.Name }));
                    rewrapped++;
                }
            }
            catch (CryptographicException ex)
            {
                LogCannotRewrap(logger, provider.Name, ex.Message);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Master-key rotation: {Count} provider root key(s) re-wrapped under the current master key. Once every replica runs with it, remove the previous keys from Broker:PreviousMasterKeys.")]
    private static partial void LogRewrapped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Master-key rotation: the root key of provider '{Provider}' cannot be re-wrapped: {Reason} Calls to it fail until the right master key is configured.")]
    private static partial void LogCannotRewrap(ILogger logger, string provider, string reason);
}
