namespace CredentialBroker.Server.Providers.Vault;

/// <summary>A Vault token and its lease. <see cref="ToString"/> never shows the token.</summary>
internal sealed record VaultToken(string Value, DateTimeOffset? ExpiresAt, TimeSpan Ttl, bool Renewable)
{
    /// <summary>Due for renewal once two thirds of its lease have passed (as Vault Agent does).</summary>
    public bool IsDue(DateTimeOffset now) => ExpiresAt is { } expires && now >= expires - (Ttl / 3);

    public override string ToString() => $"VaultToken {{ ExpiresAt = {ExpiresAt}, Renewable = {Renewable} }}";
}
