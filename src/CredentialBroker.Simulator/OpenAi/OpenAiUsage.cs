using System.Text.Json;
using System.Text.Json.Nodes;

namespace CredentialBroker.Simulator.OpenAi;

/// <summary>The <c>usage</c> object of chat completions and completions.</summary>
internal static class OpenAiUsage
{
    public static JsonObject Create(int inputTokens, int outputTokens) => new()
    {
        ["prompt_tokens"] = inputTokens,
        ["completion_tokens"] = outputTokens,
        ["total_tokens"] = inputTokens + outputTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = Simulation.CachedTokens(inputTokens) },
    };

    /// <summary>Whether a streaming request asked for the final usage chunk (<c>stream_options.include_usage</c>).</summary>
    public static bool Requested(SimulatedCall call) =>
        call.Property("stream_options") is { ValueKind: JsonValueKind.Object } options
        && options.TryGetProperty("include_usage", out var include)
        && include.ValueKind == JsonValueKind.True;
}
