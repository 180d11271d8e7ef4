namespace CredentialBroker.Server.Providers.Vault;

/// <summary>
/// HashiCorp Vault as a root-key store (<c>Broker:Vault</c>). Providers registered with a
/// <c>root_key_ref</c> (<c>vault:&lt;mount&gt;/&lt;path&gt;#&lt;field&gt;[@&lt;version&gt;]</c>) read their key from KV v2.
/// </summary>
public sealed class VaultOptions
{
    /// <summary>Vault's address, e.g. https://vault.example:8200. Unset: Vault is not used and providers keep their keys in the broker's encrypted store.</summary>
    public string? Address { get; set; }

    /// <summary>How the broker logs in: token (a token file), approle or kubernetes.</summary>
    public string AuthMethod { get; set; } = "token";

    /// <summary>File holding a Vault token (AuthMethod token); re-read when Vault refuses the token.</summary>
    public string? TokenFile { get; set; }

    /// <summary>AppRole role_id (AuthMethod approle). Not a secret on its own.</summary>
    public string? AppRoleRoleId { get; set; }

    /// <summary>File holding the AppRole secret_id (AuthMethod approle).</summary>
    public string? AppRoleSecretIdFile { get; set; }

    /// <summary>Mount of the AppRole auth method.</summary>
    public string AppRoleMount { get; set; } = "approle";

    /// <summary>Vault role the broker logs in as (AuthMethod kubernetes).</summary>
    public string? KubernetesRole { get; set; }

    /// <summary>Service-account JWT file (AuthMethod kubernetes); the projected token of the broker's pod.</summary>
    public string KubernetesJwtFile { get; set; } = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    /// <summary>Mount of the Kubernetes auth method.</summary>
    public string KubernetesMount { get; set; } = "kubernetes";

    /// <summary>The KV v2 mount provider references may name; a reference to another mount is refused when it is registered.</summary>
    public string Mount { get; set; } = "secret";

    /// <summary>Longest wait for one Vault request before it fails as a timeout.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the gateway reuses a key read from Vault before reading it again (an unpinned reference then picks up the latest version).</summary>
    public TimeSpan RootKeyCacheTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>PEM file of the CA(s) that sign Vault's TLS certificate. Unset: the machine's trusted roots.</summary>
    public string? CaFile { get; set; }

    /// <summary>True when an address is configured.</summary>
    internal bool IsConfigured => !string.IsNullOrWhiteSpace(Address);
}
