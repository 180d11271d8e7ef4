using System.Text.Json;

namespace CredentialBroker.Server.Gateway;

/// <summary>
/// A parsed gateway request body: what the broker must know before forwarding it (model, output cap, everything
/// the model will read). <see cref="Parse"/> keeps a reference to the body, so the caller must not change those bytes.
/// </summary>
internal sealed partial class ProviderRequest
{
    internal static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 256, AllowDuplicateProperties = false };

    private readonly ReadOnlyMemory<byte> _body;
    private readonly IReadOnlyDictionary<string, int> _capFields;
    private readonly bool _includesUsage;

    private ProviderRequest(GatewayEndpoint endpoint, ReadOnlyMemory<byte> body, string model, bool stream,
        IReadOnlyDictionary<string, int> capFields, bool includesUsage, int outputChoiceCount, RequestContentReader content)
    {
        Endpoint = endpoint;
        _body = body;
        Model = model;
        Stream = stream;
        _capFields = capFields;
        _includesUsage = includesUsage;
        OutputChoiceCount = outputChoiceCount;
        MaxOutputTokens = CapFieldsInEffect(endpoint).Select(f => capFields.TryGetValue(f, out var v) ? v : (int?)null)
            .FirstOrDefault(v => v is not null);
        ToolNames = content.ToolNames;
        MessageCount = content.MessageCount;
        MediaPartCount = content.MediaPartCount;
        Texts = content.Texts;
        PreTokenizedCount = content.PreTokenizedCount;
        BuiltInToolCount = content.BuiltInToolCount;
        UsesStoredContext = content.UsesStoredContext;
    }

    public GatewayEndpoint Endpoint { get; }

    /// <summary>The requested model; empty only for a <see cref="GatewayEndpoint.Models"/> request without a body.</summary>
    public string Model { get; }

    public bool Stream { get; }

    /// <summary>
    /// The caller's output cap from the field that applies (chat: max_completion_tokens, else max_tokens;
    /// completions and messages: max_tokens; responses: max_output_tokens); null when absent or the endpoint has no output.
    /// </summary>
    public int? MaxOutputTokens { get; }

    /// <summary>
    /// How many completions the cap applies to: chat <c>n</c>; completions <c>max(n, best_of)</c> times the number of
    /// prompts in a batch; otherwise 1. The worst-case output is this times the output cap.
    /// </summary>
    public int OutputChoiceCount { get; }

    /// <summary>Names of the declared tools and functions (built-in Responses tools by their type); empty if none.</summary>
    public IReadOnlyList<string> ToolNames { get; }

    /// <summary>
    /// Number of declared tools that the provider defines itself (OpenAI built-ins such as web_search, Anthropic
    /// versioned tools such as bash_20250124): their definitions are not in the body.
    /// </summary>
    public int BuiltInToolCount { get; }

    /// <summary>Number of messages or input items (system prompt and instructions count as one), for per-message overhead.</summary>
    public int MessageCount { get; }

    /// <summary>Number of image, audio, file and document parts, each estimated at a fixed allowance.</summary>
    public int MediaPartCount { get; }

    /// <summary>
    /// Every piece of text the model reads: message contents, system prompt and instructions, prompts, embedding
    /// inputs, tool definitions as JSON, tool call arguments and tool results. Content the reader does not recognise
    /// is included as its raw JSON, which over-counts rather than under-counts.
    /// </summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>Number of token ids given directly (prompts or embedding inputs as token-id arrays).</summary>
    public int PreTokenizedCount { get; }

    /// <summary>
    /// True when the provider will add input the broker cannot see: Responses <c>previous_response_id</c>,
    /// <c>conversation</c>, a stored <c>prompt</c> template or an <c>item_reference</c>. The input estimate is then
    /// not an upper bound.
    /// </summary>
    public bool UsesStoredContext { get; }

    /// <summary>Parses and checks a request body for <paramref name="endpoint"/>.</summary>
    /// <exception cref="GatewayRequestException">The body is not one the gateway accepts.</exception>
    public static ProviderRequest Parse(GatewayEndpoint endpoint, ReadOnlyMemory<byte> body)
    {
        if (endpoint == GatewayEndpoint.Models && body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new ProviderRequest(endpoint, body, string.Empty, false, new Dictionary<string, int>(), false, 1, new RequestContentReader());
        }

        using var document = ParseDocument(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new GatewayRequestException("The request body must be a JSON object.", null);
        }

        var model = ReadModel(root, required: endpoint != GatewayEndpoint.Models);
        var stream = ReadBool(root, "stream");
        var capFields = new Dictionary<string, int>(StringComparer.Ordinal);
        if (GatewayEndpoints.ProducesOutput(endpoint))
        {
            foreach (var field in CapFieldsInEffect(endpoint))
            {
                if (ReadPositiveInt(root, field) is int cap)
                {
                    capFields[field] = cap;
                }
            }
        }

        if (endpoint == GatewayEndpoint.Messages && capFields.Count == 0)
        {
            throw new GatewayRequestException("max_tokens is required.", "max_tokens");
        }

        var content = new RequestContentReader();
        var choices = 1;
        switch (endpoint)
        {
            case GatewayEndpoint.ChatCompletions:
                content.ReadChat(root);
                choices = ReadPositiveInt(root, "n") ?? 1;
                break;
            case GatewayEndpoint.Completions:
                var prompts = content.ReadCompletions(root);
                var perPrompt = Math.Max(ReadPositiveInt(root, "n") ?? 1, ReadPositiveInt(root, "best_of") ?? 1);
                var total = (long)perPrompt * Math.Max(prompts, 1);
                choices = total <= int.MaxValue
                    ? (int)total
                    : throw new GatewayRequestException("The request asks for too many completions.", "n");
                break;
            case GatewayEndpoint.Embeddings:
                content.ReadEmbeddings(root);
                break;
            case GatewayEndpoint.Responses:
                content.ReadResponses(root);
                break;
            case GatewayEndpoint.Messages or GatewayEndpoint.CountTokens:
                content.ReadAnthropic(root);
                break;
        }

        return new ProviderRequest(endpoint, body, model, stream, capFields, ReadIncludesUsage(endpoint, root), choices, content);
    }

    /// <summary>The fields that carry the output cap, the preferred one first.</summary>
    private static string[] CapFieldsInEffect(GatewayEndpoint endpoint) => endpoint switch
    {
        GatewayEndpoint.ChatCompletions => ["max_completion_tokens", "max_tokens"],
        GatewayEndpoint.Completions or GatewayEndpoint.Messages => ["max_tokens"],
        GatewayEndpoint.Responses => ["max_output_tokens"],
        _ => [],
    };

    private static JsonDocument ParseDocument(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonDocument.Parse(body, JsonOptions);
        }
        catch (JsonException ex)
        {
            // The exception's own message can quote property names; say only where the reader stopped.
            var where = ex.LineNumber is long line
                ? $"line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}"
                : "an object repeats a property name";
            throw new GatewayRequestException($"The request body is not valid JSON: {where}.", null);
        }
    }

    private static string ReadModel(JsonElement root, bool required)
    {
        if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(model.GetString()))
        {
            return model.GetString()!;
        }

        if (!required && (!root.TryGetProperty("model", out model) || model.ValueKind == JsonValueKind.Null))
        {
            return string.Empty;
        }

        throw new GatewayRequestException("model is required and must be a non-empty string.", "model");
    }

    private static bool ReadBool(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new GatewayRequestException($"{field} must be true or false.", field),
        };
    }

    private static int? ReadPositiveInt(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number > 0)
        {
            return number;
        }

        throw new GatewayRequestException($"{field} must be a positive integer (at most {int.MaxValue}).", field);
    }

    private static bool ReadIncludesUsage(GatewayEndpoint endpoint, JsonElement root)
    {
        if (endpoint is not (GatewayEndpoint.ChatCompletions or GatewayEndpoint.Completions)
            || !root.TryGetProperty("stream_options", out var options) || options.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (options.ValueKind != JsonValueKind.Object)
        {
            throw new GatewayRequestException("stream_options must be an object.", "stream_options");
        }

        return options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;
    }
}
