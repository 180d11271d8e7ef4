using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Providers.Vault;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Providers;

/// <summary>
/// Resolves a provider key from where it is kept: the broker's encrypted store (an envelope) or
/// Vault (a <see cref="VaultReference"/>). The plaintext lives in memory only; failures are
/// described without it.
/// </summary>
internal sealed class RootKeySource(RootKeyProtector protector, IVaultClient vault, IOptions<BrokerOptions> options)
{
    /// <summary>True when Vault is configured, so references can be accepted.</summary>
    public bool VaultConfigured => options.Value.Vault.IsConfigured;

    public TimeSpan VaultCacheTtl => options.Value.Vault.RootKeyCacheTtl;

    /// <summary>The key, from Vault when <paramref name="reference"/> is set, else decrypted from <paramref name="envelope"/>; null when neither.</summary>
    /// <exception cref="VaultException">Vault refused or failed; the message names the path, not the key.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The envelope does not decrypt.</exception>
    public async Task<string?> ResolveAsync(string envelopeName, string? envelope, string? reference, CancellationToken cancellationToken)
    {
        if (reference is not null)
        {
            var parsed = VaultReference.TryParse(reference, out var problem)
                ?? throw new VaultException(VaultErrorKind.Invalid, $"The stored reference {reference} {problem}.");
            var secret = await vault.ReadAsync(parsed.Mount, parsed.Path, parsed.Version, cancellationToken);
            return secret.Data.TryGetValue(parsed.Field, out var value) && value.Length > 0
                ? value
                : throw new VaultException(VaultErrorKind.NotFound, $"The secret at '{parsed.Path}' on mount '{parsed.Mount}' (version {secret.Version}) has no field '{parsed.Field}'.");
        }

        return envelope is null ? null : protector.Unprotect(envelopeName, envelope);
    }

    /// <summary>Checks a reference given to RegisterProvider/UpdateProvider; returns a field violation or null.</summary>
    public string? Validate(string reference)
    {
        if (VaultReference.TryParse(reference, out var problem) is not { } parsed)
        {
            return problem;
        }

        if (!VaultConfigured)
        {
            return "needs Vault, but Broker:Vault:Address is not configured on the broker";
        }

        var mount = options.Value.Vault.Mount;
        return parsed.Mount == mount ? null : $"names mount '{parsed.Mount}', but the broker reads only mount '{mount}' (Broker:Vault:Mount)";
    }
}
