using System.Text;
using System.Text.Json;

namespace CredentialBroker.Server.Gateway;

/// <summary>
/// Meters a streamed (server-sent events) response as it passes: the usage the provider reports, and the generated
/// text seen so far for estimating output when the stream ends early. Memory stays bounded; malformed events are
/// skipped, never thrown.
/// </summary>
internal sealed class StreamUsageMeter
{
    /// <summary>The most generated characters kept; the rest are only counted.</summary>
    public const int MaxGeneratedChars = 1_000_000;

    private readonly GatewayEndpoint _endpoint;
    private readonly SseEventReader _reader;
    private readonly StringBuilder _generated = new();
    private ResponseUsageParser.AnthropicInput _anthropicInput;

    public StreamUsageMeter(GatewayEndpoint endpoint)
    {
        _endpoint = endpoint;
        _reader = new SseEventReader(OnData);
    }

    /// <summary>
    /// Usage the provider reported; null until it arrived. OpenAI chat and completions: the chunk whose
    /// <c>usage</c> is an object. Responses: the usage of <c>response.completed</c>, <c>response.incomplete</c> or
    /// <c>response.failed</c>. Anthropic: input from <c>message_start</c> (or a <c>message_delta</c> that carries
    /// input counts) with the cumulative output of the latest <c>message_delta</c>.
    /// </summary>
    public UsageReport? Reported { get; private set; }

    /// <summary>Anthropic only: the input part of <c>message_start</c>'s usage (output 0); null otherwise.</summary>
    public UsageReport? InputFromStart { get; private set; }

    /// <summary>Generated text seen so far (content, tool call arguments, reasoning), at most <see cref="MaxGeneratedChars"/>.</summary>
    public string GeneratedText => _generated.ToString();

    /// <summary>Generated characters seen beyond <see cref="MaxGeneratedChars"/>.</summary>
    public long GeneratedCharsBeyondCap { get; private set; }

    /// <summary>
    /// The stream ended as the provider ends it: <c>[DONE]</c> (OpenAI chat and completions), a terminal Responses
    /// event (<c>response.completed</c>, <c>.incomplete</c> or <c>.failed</c>), or <c>message_stop</c>.
    /// </summary>
    public bool Completed { get; private set; }

    /// <summary>Feeds the next bytes of the response body.</summary>
    public void Append(ReadOnlySpan<byte> chunk) => _reader.Append(chunk);

    private void OnData(string? eventName, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            Completed |= _endpoint is GatewayEndpoint.ChatCompletions or GatewayEndpoint.Completions;
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 256 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : eventName;
            switch (_endpoint)
            {
                case GatewayEndpoint.ChatCompletions or GatewayEndpoint.Completions:
                    OnChunk(root);
                    break;
                case GatewayEndpoint.Responses:
                    OnResponsesEvent(type, root);
                    break;
                case GatewayEndpoint.Messages:
                    OnAnthropicEvent(type, root);
                    break;
            }
        }
        catch (JsonException)
        {
            // A malformed event is skipped; the ones after it still count.
        }
    }

    private void OnChunk(JsonElement root)
    {
        if (root.TryGetProperty("usage", out var usage) && ResponseUsageParser.FromUsage(_endpoint, usage) is { } report)
        {
            Reported = report;
        }

        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var choice in choices.EnumerateArray())
        {
            Generated(choice, "text");
            if (choice.ValueKind != JsonValueKind.Object || !choice.TryGetProperty("delta", out var delta)
                || delta.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            Generated(delta, "content");
            Generated(delta, "refusal");
            Generated(delta, "reasoning_content");
            if (delta.TryGetProperty("function_call", out var call))
            {
                Generated(call, "arguments");
            }

            if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var toolCall in calls.EnumerateArray())
                {
                    if (toolCall.ValueKind == JsonValueKind.Object && toolCall.TryGetProperty("function", out var function))
                    {
                        Generated(function, "name");
                        Generated(function, "arguments");
                    }
                }
            }
        }
    }

    private void OnResponsesEvent(string? type, JsonElement root)
    {
        if (type is "response.completed" or "response.incomplete" or "response.failed")
        {
            Completed = true;
            if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
                && response.TryGetProperty("usage", out var usage)
                && ResponseUsageParser.FromUsage(GatewayEndpoint.Responses, usage) is { } report)
            {
                Reported = report;
            }
        }
        else if (type is not null && type.EndsWith(".delta", StringComparison.Ordinal) && type != "response.audio.delta")
        {
            // Text, refusal, reasoning, function and tool arguments all stream as ".delta" events with a string delta.
            Generated(root, "delta");
        }
    }

    private void OnAnthropicEvent(string? type, JsonElement root)
    {
        switch (type)
        {
            case "message_start":
                if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
                    && message.TryGetProperty("usage", out var startUsage) && startUsage.ValueKind == JsonValueKind.Object)
                {
                    _anthropicInput = ResponseUsageParser.ReadAnthropicInput(startUsage, default);
                    InputFromStart = _anthropicInput.ToReport(0);
                }

                break;
            case "message_delta":
                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    _anthropicInput = ResponseUsageParser.ReadAnthropicInput(usage, _anthropicInput);
                    var output = ResponseUsageParser.ReadTokens(usage, "output_tokens") ?? Reported?.OutputTokens ?? 0;
                    Reported = _anthropicInput.ToReport(output);
                }

                break;
            case "content_block_delta":
                if (root.TryGetProperty("delta", out var delta))
                {
                    Generated(delta, "text");
                    Generated(delta, "partial_json");
                    Generated(delta, "thinking");
                }

                break;
            case "message_stop":
                Completed = true;
                break;
        }
    }

    private void Generated(JsonElement owner, string field)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(field, out var value)
            || value.ValueKind != JsonValueKind.String)
        {
            return;
        }

        var text = value.GetString()!;
        var room = Math.Max(MaxGeneratedChars - _generated.Length, 0);
        _generated.Append(text, 0, Math.Min(room, text.Length));
        GeneratedCharsBeyondCap += Math.Max(text.Length - room, 0);
    }
}
