namespace CredentialBroker.Server.Providers.Vault;

/// <summary>KV v2 metadata of a secret: its versions, without their values.</summary>
public sealed record VaultMetadata(int CurrentVersion, int OldestVersion, IReadOnlyList<int> Versions, DateTimeOffset? UpdatedTime);
