using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CredentialBroker.Server.Gateway;

internal sealed partial class ProviderRequest
{
    // Bodies go to an API, not into HTML: escaping non-ASCII or '<' would only make them longer.
    private static readonly JsonWriterOptions _writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The body to forward: the original bytes with the output cap set to <paramref name="maxOutputTokens"/> (when
    /// the endpoint produces output and the value is not null) and, for streamed OpenAI chat and completions,
    /// <c>stream_options.include_usage</c> set to true. Property order and all other fields are kept; the original
    /// bytes come back unchanged when nothing changes.
    /// </summary>
    /// <remarks>
    /// The cap goes into every cap field the caller used (a chat request that sent both <c>max_tokens</c> and
    /// <c>max_completion_tokens</c> gets both, so neither can exceed it), or into the preferred field when none.
    /// </remarks>
    public ReadOnlyMemory<byte> Rewrite(int? maxOutputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxOutputTokens ?? 1, nameof(maxOutputTokens));

        var capFields = maxOutputTokens is int cap && GatewayEndpoints.ProducesOutput(Endpoint)
            ? FieldsToCap().Where(f => !_capFields.TryGetValue(f, out var current) || current != cap).ToList()
            : [];
        var addUsage = Stream && !_includesUsage
            && Endpoint is GatewayEndpoint.ChatCompletions or GatewayEndpoint.Completions;
        if (capFields.Count == 0 && !addUsage)
        {
            return _body;
        }

        var root = JsonNode.Parse(_body.Span, documentOptions: JsonOptions)!.AsObject();
        foreach (var field in capFields)
        {
            root[field] = maxOutputTokens!.Value;
        }

        if (addUsage)
        {
            if (root["stream_options"] is JsonObject options)
            {
                options["include_usage"] = true;
            }
            else
            {
                root["stream_options"] = new JsonObject { ["include_usage"] = true };
            }
        }

        var buffer = new MemoryStream(_body.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, _writerOptions))
        {
            root.WriteTo(writer);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private IEnumerable<string> FieldsToCap()
    {
        var fields = CapFieldsInEffect(Endpoint);
        var used = fields.Where(_capFields.ContainsKey).ToList();
        return used.Count > 0 ? used : fields.Take(1);
    }
}
