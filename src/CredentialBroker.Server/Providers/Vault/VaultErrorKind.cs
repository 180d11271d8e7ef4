namespace CredentialBroker.Server.Providers.Vault;

/// <summary>Why a Vault request failed.</summary>
public enum VaultErrorKind
{
    /// <summary>Vault is sealed (503): nothing can be read until it is unsealed.</summary>
    Sealed,

    /// <summary>403: the broker's token or policy does not allow the operation.</summary>
    PermissionDenied,

    /// <summary>404: no secret (or no such version) at the path.</summary>
    NotFound,

    /// <summary>Vault did not answer within Broker:Vault:RequestTimeout.</summary>
    Timeout,

    /// <summary>Vault could not be reached or answered with a server error.</summary>
    Unavailable,

    /// <summary>The answer was not what the KV v2 API promises (a missing field, a bad body).</summary>
    Invalid,

    /// <summary>The broker's Vault configuration is incomplete.</summary>
    NotConfigured,
}
