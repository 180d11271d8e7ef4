namespace CredentialBroker.Server.Providers.Vault;

/// <summary>The subset of Vault's HTTP API the broker uses: KV v2 read, write and metadata, with login handled inside.</summary>
public interface IVaultClient
{
    /// <summary><c>GET /v1/{mount}/data/{path}[?version=N]</c>: the latest version, or <paramref name="version"/>.</summary>
    Task<VaultSecret> ReadAsync(string mount, string path, int? version, CancellationToken cancellationToken);

    /// <summary><c>POST /v1/{mount}/data/{path}</c>: writes a new version; returns its number.</summary>
    Task<int> WriteAsync(string mount, string path, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/{mount}/metadata/{path}</c>.</summary>
    Task<VaultMetadata> ReadMetadataAsync(string mount, string path, CancellationToken cancellationToken);
}
