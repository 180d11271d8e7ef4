using System.Text.Json;

namespace CredentialBroker.Server.Gateway;

/// <summary>Reads the usage a provider reports in a complete (non-streaming) JSON response body.</summary>
internal static class ResponseUsageParser
{
    /// <summary>
    /// The reported usage, or null when the body has none or is not JSON. Chat and completions read
    /// <c>usage.prompt_tokens</c>, <c>completion_tokens</c> and <c>prompt_tokens_details.cached_tokens</c>; embeddings
    /// <c>usage.prompt_tokens</c>; responses <c>usage.input_tokens</c>, <c>output_tokens</c> and
    /// <c>input_tokens_details.cached_tokens</c>; messages the Anthropic usage object. Count-tokens and model listing
    /// bill nothing and give null.
    /// </summary>
    public static UsageReport? Parse(GatewayEndpoint endpoint, ReadOnlySpan<byte> body)
    {
        if (endpoint is GatewayEndpoint.CountTokens or GatewayEndpoint.Models)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("usage", out var usage))
            {
                return null;
            }

            return FromUsage(endpoint, usage);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Usage from a usage object in the endpoint's dialect; null when it is not an object with token counts.</summary>
    internal static UsageReport? FromUsage(GatewayEndpoint endpoint, JsonElement usage) => endpoint switch
    {
        GatewayEndpoint.ChatCompletions or GatewayEndpoint.Completions => FromOpenAI(usage, "prompt_tokens", "completion_tokens", "prompt_tokens_details"),
        GatewayEndpoint.Embeddings => FromOpenAI(usage, "prompt_tokens", null, null),
        GatewayEndpoint.Responses => FromOpenAI(usage, "input_tokens", "output_tokens", "input_tokens_details"),
        GatewayEndpoint.Messages => FromAnthropic(usage),
        _ => null,
    };

    /// <summary>Anthropic usage: input = input + cache read + cache creation tokens; null when it has no counts.</summary>
    internal static UsageReport? FromAnthropic(JsonElement usage)
    {
        string[] fields = ["input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "output_tokens"];
        if (!fields.Any(f => ReadTokens(usage, f) is not null))
        {
            return null;
        }

        return ReadAnthropicInput(usage, default).ToReport(ReadTokens(usage, "output_tokens") ?? 0);
    }

    /// <summary>The input counts of an Anthropic usage object; a field it lacks keeps its value from <paramref name="previous"/>.</summary>
    internal static AnthropicInput ReadAnthropicInput(JsonElement usage, AnthropicInput previous) => new(
        ReadTokens(usage, "input_tokens") ?? previous.Uncached,
        ReadTokens(usage, "cache_read_input_tokens") ?? previous.CacheRead,
        ReadTokens(usage, "cache_creation_input_tokens") ?? previous.CacheCreated);

    private static UsageReport? FromOpenAI(JsonElement usage, string inputField, string? outputField, string? detailsField)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var input = ReadTokens(usage, inputField);
        var output = outputField is null ? null : ReadTokens(usage, outputField);
        if (input is null && output is null)
        {
            return null;
        }

        var cached = detailsField is not null && usage.TryGetProperty(detailsField, out var details)
            && details.ValueKind == JsonValueKind.Object
            ? ReadTokens(details, "cached_tokens") ?? 0
            : 0;
        return new UsageReport(input ?? 0, cached, output ?? 0);
    }

    /// <summary>A non-negative token count, rounding a fractional one up; null when absent or not a number.</summary>
    internal static long? ReadTokens(JsonElement owner, string field)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(field, out var value)
            || value.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (value.TryGetInt64(out var count))
        {
            return Math.Max(count, 0);
        }

        var real = value.GetDouble();
        return real >= long.MaxValue ? long.MaxValue : Math.Max((long)Math.Ceiling(real), 0);
    }

    /// <summary>Anthropic input tokens by kind, kept apart so that a later stream event can replace each one.</summary>
    internal readonly record struct AnthropicInput(long Uncached, long CacheRead, long CacheCreated)
    {
        /// <summary>A report whose input is all three kinds together.</summary>
        public UsageReport ToReport(long outputTokens) => new(Uncached + CacheRead + CacheCreated, CacheRead, outputTokens);
    }
}
