namespace CredentialBroker.Server.Providers.Vault;

/// <summary>One version of a KV v2 secret. <see cref="ToString"/> never shows the values.</summary>
public sealed record VaultSecret(IReadOnlyDictionary<string, string> Data, int Version)
{
    public override string ToString() => $"VaultSecret {{ Version = {Version}, Fields = {string.Join(',', Data.Keys)} }}";
}
