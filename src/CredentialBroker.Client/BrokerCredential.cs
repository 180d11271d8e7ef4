namespace CredentialBroker.Client;

/// <summary>The credential currently held by the workload.</summary>
/// <param name="Id">The credential id (not secret).</param>
/// <param name="Key">The key ("cbk_..."). Never log it.</param>
/// <param name="GatewayBaseUrl">Where to send provider calls with this key.</param>
/// <param name="ExpiresAt">When the key stops working unless renewed.</param>
/// <param name="MaxExpiresAt">The hard end of the key's life; renewals never pass it.</param>
public sealed record BrokerCredential(string Id, string Key, string GatewayBaseUrl, DateTimeOffset ExpiresAt, DateTimeOffset MaxExpiresAt)
{
    /// <summary>Keeps the key out of logs and debugger displays.</summary>
    public override string ToString() => $"BrokerCredential {{ Id = {Id}, ExpiresAt = {ExpiresAt:O} }}";
}
