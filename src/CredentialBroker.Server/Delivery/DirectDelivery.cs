using CredentialBroker.Server.Admin;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Providers;
using CredentialBroker.Server.Providers.Vault;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Delivery;

/// <summary>
/// Issuance for purposes with <c>delivery: direct</c>: an OpenAI project service account minted
/// per credential, or an Anthropic key taken from the provider's pool (<c>FOR UPDATE SKIP LOCKED</c>,
/// in the caller's transaction). Upstream failures become UNAVAILABLE and nothing is written.
/// </summary>
internal sealed partial class DirectDelivery(RootKeySource keys, RootKeyProtector protector, UpstreamAdminClient api, ILogger<DirectDelivery> logger)
{
    /// <summary>The provider's Admin API with its admin key resolved (memory only).</summary>
    /// <exception cref="UpstreamAdminException">No admin key (or project) is configured, or it cannot be read.</exception>
    public async Task<AdminTarget> TargetAsync(Provider provider, CancellationToken cancellationToken)
    {
        string? adminKey;
        try
        {
            adminKey = await keys.ResolveAsync(ProviderKeyFields.AdminEnvelopeName(provider.Name), provider.AdminKeyEnvelope, provider.AdminKeyRef, cancellationToken);
        }
        catch (Exception ex) when (ex is VaultException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
        {
            throw new UpstreamAdminException($"The admin key of provider '{provider.Name}' cannot be read: {(ex is VaultException ? ex.Message : "it does not decrypt with the configured master key.")}", null, ex);
        }

        if (adminKey is null)
        {
            throw new UpstreamAdminException($"Provider '{provider.Name}' has no admin key for direct delivery; set one with UpdateProvider (admin_key or admin_key_ref).", misconfigured: true);
        }

        if (provider.Kind == "openai" && provider.ProjectId is null)
        {
            throw new UpstreamAdminException($"Provider '{provider.Name}' has no project_id; direct delivery creates service accounts in a project (UpdateProvider project_id).", misconfigured: true);
        }

        return new AdminTarget(provider.Id, provider.Name, provider.Kind, provider.BaseUrl, adminKey, provider.ProjectId);
    }

    /// <summary>The key to hand out and its upstream record (not yet saved).</summary>
    public async Task<(string Secret, UpstreamKey Upstream)> IssueAsync(BrokerDbContext db, Provider provider, Guid credentialId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        switch (provider.Kind)
        {
            case "openai":
                MintedKey minted;
                try
                {
                    minted = await api.CreateServiceAccountAsync(await TargetAsync(provider, cancellationToken), "cb-" + credentialId, cancellationToken);
                }
                catch (UpstreamAdminException ex) when (ex.Misconfigured)
                {
                    throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Direct delivery is not set up: {ex.Message} Nothing was issued."));
                }
                catch (UpstreamAdminException ex)
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, $"Direct delivery failed: {ex.Message} Nothing was issued; try again later."));
                }

                return (minted.Secret, Record(UpstreamKey.OpenAiServiceAccount, provider, credentialId, minted.UpstreamId, minted.KeyId, now));
            case "anthropic":
                if (db.Database.CurrentTransaction is null)
                {
                    await db.Database.BeginTransactionAsync(cancellationToken);
                }

                var taken = await db.PoolKeys.FromSql(
                    $"SELECT * FROM provider_pool_keys WHERE provider_id = {provider.Id} AND status = 'available' ORDER BY added_at, id LIMIT 1 FOR UPDATE SKIP LOCKED")
                    .ToListAsync(cancellationToken);
                if (taken.Count == 0)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted,
                        $"The key pool of provider '{provider.Name}' is empty: every pre-created key is assigned. An admin must add keys (AddProviderKeys) before direct credentials can be issued."));
                }

                var key = taken[0];
                (key.Status, key.CredentialId, key.AssignedAt) = (PoolKey.Assigned, credentialId, now);
                return (protector.Unprotect(PoolKey.EnvelopeName(provider.Name, key.UpstreamId), key.KeyEnvelope),
                    Record(UpstreamKey.AnthropicPoolKey, provider, credentialId, key.UpstreamId, null, now));
            default:
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"Provider '{provider.Name}' is of kind '{provider.Kind}', which has no direct delivery (openai and anthropic do). Use a purpose with delivery 'gateway'."));
        }
    }

    /// <summary>Best effort after the credential could not be saved: the minted account must not outlive it.</summary>
    public async Task UndoAsync(Provider provider, UpstreamKey upstream)
    {
        if (upstream.Kind != UpstreamKey.OpenAiServiceAccount)
        {
            return;
        }

        try
        {
            await api.DeleteServiceAccountAsync(await TargetAsync(provider, CancellationToken.None), upstream.UpstreamId, CancellationToken.None);
        }
        catch (UpstreamAdminException ex)
        {
            LogUndoFailed(logger, upstream.UpstreamId, provider.Name, ex.Message);
        }
    }

    private static UpstreamKey Record(string kind, Provider provider, Guid credentialId, string upstreamId, string? keyId, DateTimeOffset now) => new()
    {
        CredentialId = credentialId,
        ProviderId = provider.Id,
        Kind = kind,
        UpstreamId = upstreamId,
        KeyId = keyId,
        State = UpstreamKey.Live,
        NextAttemptAt = now,
        CreatedAt = now,
    };

    [LoggerMessage(7101, LogLevel.Error, "Direct delivery: service account {UpstreamId} of provider '{Provider}' was created but the credential could not be saved, and deleting it failed: {Reason} Delete it by hand.")]
    private static partial void LogUndoFailed(ILogger logger, string upstreamId, string provider, string reason);
}
