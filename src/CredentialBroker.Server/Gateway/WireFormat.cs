namespace CredentialBroker.Server.Gateway;

/// <summary>The API dialect of a request and its response.</summary>
internal enum WireFormat
{
    /// <summary>OpenAI-compatible JSON and server-sent events.</summary>
    OpenAI,

    /// <summary>Anthropic Messages API JSON and server-sent events.</summary>
    Anthropic,
}
