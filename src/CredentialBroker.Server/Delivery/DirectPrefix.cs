namespace CredentialBroker.Server.Delivery;

/// <summary>The public prefix of a provider key: its first 8 and last 4 characters, as providers' consoles redact keys.</summary>
internal static class DirectPrefix
{
    public static string Of(string key) => key.Length <= 16 ? key[..Math.Min(4, key.Length)] + "..." : key[..8] + "..." + key[^4..];
}
