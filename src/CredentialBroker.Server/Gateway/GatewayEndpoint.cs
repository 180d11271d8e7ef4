namespace CredentialBroker.Server.Gateway;

/// <summary>The endpoints the gateway serves. <see cref="GatewayEndpoints.Name"/> gives each one's allowlist name.</summary>
internal enum GatewayEndpoint
{
    /// <summary>OpenAI <c>POST /v1/chat/completions</c> ("chat.completions").</summary>
    ChatCompletions,

    /// <summary>OpenAI legacy <c>POST /v1/completions</c> ("completions").</summary>
    Completions,

    /// <summary>OpenAI <c>POST /v1/embeddings</c> ("embeddings").</summary>
    Embeddings,

    /// <summary>OpenAI <c>POST /v1/responses</c> ("responses").</summary>
    Responses,

    /// <summary>OpenAI <c>GET /v1/models</c> ("models").</summary>
    Models,

    /// <summary>Anthropic <c>POST /v1/messages</c> ("messages").</summary>
    Messages,

    /// <summary>Anthropic <c>POST /v1/messages/count_tokens</c> ("messages.count_tokens").</summary>
    CountTokens,
}
