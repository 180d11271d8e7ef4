namespace CredentialBroker.Server.Delivery;

/// <summary>A provider's Admin API refused or failed a call. The message names the call and provider, never a key.</summary>
public sealed class UpstreamAdminException(string message, int? statusCode = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status the provider answered with; null when it did not answer (timeout, unreachable).</summary>
    public int? StatusCode { get; } = statusCode;
}
