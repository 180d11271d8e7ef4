namespace CredentialBroker.Server.Delivery;

/// <summary>A provider's Admin API refused or failed a call. The message names the call and provider, never a key.</summary>
public sealed class UpstreamAdminException(string message, int? statusCode = null, Exception? inner = null, bool misconfigured = false) : Exception(message, inner)
{
    /// <summary>The provider lacks what direct delivery needs (admin key, project): an admin must act; retrying does not help.</summary>
    public bool Misconfigured { get; } = misconfigured;

    /// <summary>The HTTP status the provider answered with; null when it did not answer (timeout, unreachable).</summary>
    public int? StatusCode { get; } = statusCode;
}
