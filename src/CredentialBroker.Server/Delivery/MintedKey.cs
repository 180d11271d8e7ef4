namespace CredentialBroker.Server.Delivery;

/// <summary>A key created upstream for one credential. <see cref="ToString"/> never shows the key.</summary>
internal sealed record MintedKey(string UpstreamId, string? KeyId, string Secret)
{
    public override string ToString() => $"MintedKey {{ UpstreamId = {UpstreamId}, KeyId = {KeyId} }}";
}
