namespace CredentialBroker.Server.Providers.Vault;

/// <summary>
/// A failed Vault request. The message names the operation, mount and path — never a token, a
/// secret_id, a JWT or a secret value — so it may be logged and returned.
/// </summary>
public sealed class VaultException(VaultErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public VaultErrorKind Kind { get; } = kind;

    /// <summary>True for failures that may pass on their own (sealed, timeout, unreachable).</summary>
    public bool IsTransient => Kind is VaultErrorKind.Sealed or VaultErrorKind.Timeout or VaultErrorKind.Unavailable;
}
