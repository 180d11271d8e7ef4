namespace CredentialBroker.Server.Gateway;

/// <summary>
/// A request body the gateway refuses (HTTP 400). The message is written for a person and never quotes request
/// content, which may be secret.
/// </summary>
/// <param name="message">What is wrong, without any request content.</param>
/// <param name="param">The top-level JSON field at fault ("model", "messages", "max_tokens", ...), or null.</param>
internal sealed class GatewayRequestException(string message, string? param) : Exception(message)
{
    /// <summary>The top-level JSON field at fault, or null when the body as a whole is wrong.</summary>
    public string? Param { get; } = param;
}
