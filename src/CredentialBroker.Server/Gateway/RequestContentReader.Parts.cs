using System.Text.Json;

namespace CredentialBroker.Server.Gateway;

internal sealed partial class RequestContentReader
{
    // Parts the model sees as media, each estimated at a fixed allowance rather than by their (base64) bytes.
    private static readonly HashSet<string> _mediaTypes = new(StringComparer.Ordinal)
    {
        "image_url", "input_image", "image", "document", "input_audio", "audio", "file", "input_file",
        "computer_screenshot", "video_url", "input_video",
    };

    private void ReadContent(JsonElement owner, string field, string param)
    {
        if (owner.TryGetProperty(field, out var content))
        {
            ReadContent(content, param);
        }
    }

    /// <summary>Content as a string, an array of parts, or (tool outputs) a single part.</summary>
    private void ReadContent(JsonElement content, string param)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                Texts.Add(content.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var part in content.EnumerateArray())
                {
                    ReadPart(part, param);
                }

                break;
            case JsonValueKind.Object:
                ReadPart(content, param);
                break;
            case JsonValueKind.Null:
                break;
            default:
                throw new GatewayRequestException($"Content in {param} must be a string or an array of content parts.", param);
        }
    }

    private void ReadPart(JsonElement part, string param)
    {
        if (part.ValueKind == JsonValueKind.String)
        {
            Texts.Add(part.GetString()!);
            return;
        }

        RequireObject(part, param, $"Each content part in {param} must be an object.");
        var type = Str(part, "type");
        switch (type)
        {
            case "text" or "input_text" or "output_text" or "summary_text" or "reasoning_text":
                AddString(part, "text");
                break;
            case "refusal":
                AddString(part, "refusal");
                break;
            case "thinking":
                AddString(part, "thinking");
                break;
            case "redacted_thinking":
                AddString(part, "data");
                break;
            case "tool_use" or "server_tool_use" or "mcp_tool_use":
                AddString(part, "name");
                AddRaw(part, "input");
                break;
            case "tool_result" or "mcp_tool_result":
                ReadContent(part, "content", param);
                break;
            case "document":
                ReadDocument(part, param);
                break;
            case not null when _mediaTypes.Contains(type):
                MediaPartCount++;
                break;
            default:
                Texts.Add(part.GetRawText());
                break;
        }
    }

    /// <summary>An Anthropic document: plain-text and content sources are text, others (PDF, files) are media.</summary>
    private void ReadDocument(JsonElement part, string param)
    {
        AddString(part, "title");
        AddString(part, "context");
        part.TryGetProperty("source", out var source);
        switch (source.ValueKind == JsonValueKind.Object ? Str(source, "type") : null)
        {
            case "text":
                AddString(source, "data");
                break;
            case "content":
                ReadContent(source, "content", param);
                break;
            default:
                MediaPartCount++;
                break;
        }
    }

    private void ReadCall(JsonElement call)
    {
        if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var function)
            && function.ValueKind == JsonValueKind.Object)
        {
            AddString(function, "name");
            AddString(function, "arguments");
        }
        else if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("custom", out var custom)
            && custom.ValueKind == JsonValueKind.Object)
        {
            AddString(custom, "name");
            AddString(custom, "input");
        }
        else
        {
            Texts.Add(call.GetRawText());
        }
    }

    /// <summary>A prompt or embedding input: string, strings, token ids, or arrays of token ids. Returns the item count.</summary>
    private int ReadPromptLike(JsonElement value, string param)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            Texts.Add(value.GetString()!);
            return 1;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var items = value.EnumerateArray().ToList();
            if (items.All(i => i.ValueKind == JsonValueKind.String))
            {
                Texts.AddRange(items.Select(i => i.GetString()!));
                return items.Count;
            }

            if (items.All(i => i.ValueKind == JsonValueKind.Number))
            {
                PreTokenizedCount += items.Count;
                return 1;
            }

            if (items.All(i => i.ValueKind == JsonValueKind.Array && i.EnumerateArray().All(t => t.ValueKind == JsonValueKind.Number)))
            {
                PreTokenizedCount += items.Sum(i => i.GetArrayLength());
                return items.Count;
            }
        }

        throw new GatewayRequestException(
            $"{param} must be a string, an array of strings, an array of token ids, or an array of token-id arrays.", param);
    }

    private void ReadTools(JsonElement root, string field, Func<JsonElement, string?> name)
    {
        if (!root.TryGetProperty(field, out var tools) || tools.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw new GatewayRequestException($"{field} must be an array.", field);
        }

        foreach (var tool in tools.EnumerateArray())
        {
            RequireObject(tool, field, $"Each entry of {field} must be an object.");
            Texts.Add(tool.GetRawText());
            if (name(tool) is { Length: > 0 } toolName)
            {
                ToolNames.Add(toolName);
            }

            // Tools the provider defines itself (web_search, bash_20250124, ...) bring definitions the body lacks.
            if (Str(tool, "type") is { } type && type is not ("function" or "custom"))
            {
                BuiltInToolCount++;
            }
        }
    }

    private static JsonElement RequiredArray(JsonElement root, string field) =>
        root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : throw new GatewayRequestException($"{field} is required and must be an array.", field);

    private static JsonElement RequireObject(JsonElement value, string param, string message) =>
        value.ValueKind == JsonValueKind.Object ? value : throw new GatewayRequestException(message, param);

    private static string? Str(JsonElement owner, string field) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(field, out var value)
            && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Nested(JsonElement owner, string field, string inner) =>
        owner.TryGetProperty(field, out var value) ? Str(value, inner) : null;

    private void AddString(JsonElement owner, string field)
    {
        if (Str(owner, field) is { Length: > 0 } text)
        {
            Texts.Add(text);
        }
    }

    private void AddRaw(JsonElement owner, string field)
    {
        if (owner.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            Texts.Add(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
        }
    }
}
