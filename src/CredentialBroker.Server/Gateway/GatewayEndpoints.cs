namespace CredentialBroker.Server.Gateway;

/// <summary>Allowlist names and static facts about each <see cref="GatewayEndpoint"/>.</summary>
internal static class GatewayEndpoints
{
    private static readonly string[] _names =
    [
        "chat.completions",
        "completions",
        "embeddings",
        "responses",
        "models",
        "messages",
        "messages.count_tokens",
    ];

    /// <summary>Every allowlist name, in <see cref="GatewayEndpoint"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(_names);

    /// <summary>The allowlist name of <paramref name="endpoint"/>, e.g. "chat.completions".</summary>
    public static string Name(GatewayEndpoint endpoint) =>
        (uint)endpoint < (uint)_names.Length
            ? _names[(int)endpoint]
            : throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, "Unknown gateway endpoint.");

    /// <summary>Parses an allowlist name (exact, case-sensitive).</summary>
    public static bool TryParseName(string name, out GatewayEndpoint endpoint)
    {
        var index = Array.IndexOf(_names, name);
        endpoint = (GatewayEndpoint)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>Anthropic for <see cref="GatewayEndpoint.Messages"/> and <see cref="GatewayEndpoint.CountTokens"/>, else OpenAI.</summary>
    public static WireFormat Format(GatewayEndpoint endpoint) =>
        endpoint is GatewayEndpoint.Messages or GatewayEndpoint.CountTokens ? WireFormat.Anthropic : WireFormat.OpenAI;

    /// <summary>Whether the endpoint generates output tokens (false for embeddings, model listing and token counting).</summary>
    public static bool ProducesOutput(GatewayEndpoint endpoint) =>
        endpoint is not (GatewayEndpoint.Embeddings or GatewayEndpoint.Models or GatewayEndpoint.CountTokens);
}
