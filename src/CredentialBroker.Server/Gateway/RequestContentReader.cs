using System.Text.Json;

namespace CredentialBroker.Server.Gateway;

/// <summary>
/// Collects what the model reads from a request body (texts, media parts, token ids, tool names) and refuses
/// messages, prompts and inputs of the wrong shape. Unrecognised content counts as its raw JSON text.
/// </summary>
internal sealed partial class RequestContentReader
{
    public List<string> Texts { get; } = [];

    public List<string> ToolNames { get; } = [];

    public int MessageCount { get; private set; }

    public int MediaPartCount { get; private set; }

    public int PreTokenizedCount { get; private set; }

    public int BuiltInToolCount { get; private set; }

    public bool UsesStoredContext { get; private set; }

    public void ReadChat(JsonElement root)
    {
        foreach (var message in RequiredArray(root, "messages").EnumerateArray())
        {
            var item = RequireObject(message, "messages", "Each message must be an object.");
            MessageCount++;
            AddString(item, "name");
            AddString(item, "refusal");
            ReadContent(item, "content", "messages");
            if (item.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    ReadCall(call);
                }
            }

            if (item.TryGetProperty("function_call", out var legacyCall) && legacyCall.ValueKind == JsonValueKind.Object)
            {
                AddString(legacyCall, "name");
                AddString(legacyCall, "arguments");
            }

            if (item.TryGetProperty("audio", out var audio) && audio.ValueKind == JsonValueKind.Object)
            {
                MediaPartCount++;
            }
        }

        ReadTools(root, "tools", tool => Nested(tool, "function", "name") ?? Nested(tool, "custom", "name") ?? Str(tool, "type"));
        ReadTools(root, "functions", tool => Str(tool, "name"));
        if (root.TryGetProperty("response_format", out var format) && Str(format, "type") == "json_schema"
            && format.TryGetProperty("json_schema", out var schema))
        {
            Texts.Add(schema.GetRawText());
        }
    }

    /// <summary>Reads <c>prompt</c> and <c>suffix</c>; returns the number of prompts.</summary>
    public int ReadCompletions(JsonElement root)
    {
        var prompts = root.TryGetProperty("prompt", out var prompt) ? ReadPromptLike(prompt, "prompt") : 0;
        AddString(root, "suffix");
        MessageCount += prompts;
        return prompts;
    }

    public void ReadEmbeddings(JsonElement root)
    {
        if (!root.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
        {
            throw new GatewayRequestException("input is required.", "input");
        }

        MessageCount += ReadPromptLike(input, "input");
    }

    public void ReadResponses(JsonElement root)
    {
        if (root.TryGetProperty("instructions", out var instructions) && instructions.ValueKind != JsonValueKind.Null)
        {
            MessageCount++;
            ReadContent(instructions, "instructions");
        }

        if (root.TryGetProperty("input", out var input))
        {
            switch (input.ValueKind)
            {
                case JsonValueKind.String:
                    MessageCount++;
                    Texts.Add(input.GetString()!);
                    break;
                case JsonValueKind.Array:
                    foreach (var item in input.EnumerateArray())
                    {
                        MessageCount++;
                        ReadResponseItem(RequireObject(item, "input", "Each input item must be an object."));
                    }

                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    throw new GatewayRequestException("input must be a string or an array of input items.", "input");
            }
        }

        foreach (var field in (ReadOnlySpan<string>)["previous_response_id", "conversation", "prompt"])
        {
            if (root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                UsesStoredContext = true;
            }
        }

        if (root.TryGetProperty("prompt", out var template) && template.ValueKind == JsonValueKind.Object)
        {
            Texts.Add(template.GetRawText());
        }

        ReadTools(root, "tools", tool => Str(tool, "name") ?? Str(tool, "type"));
        if (root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.Object
            && text.TryGetProperty("format", out var format) && Str(format, "type") == "json_schema")
        {
            Texts.Add(format.GetRawText());
        }
    }

    /// <summary>Reads an Anthropic Messages or count_tokens body.</summary>
    public void ReadAnthropic(JsonElement root)
    {
        if (root.TryGetProperty("system", out var system) && system.ValueKind != JsonValueKind.Null)
        {
            MessageCount++;
            ReadContent(system, "system");
        }

        foreach (var message in RequiredArray(root, "messages").EnumerateArray())
        {
            MessageCount++;
            ReadContent(RequireObject(message, "messages", "Each message must be an object."), "content", "messages");
        }

        ReadTools(root, "tools", tool => Str(tool, "name") ?? Str(tool, "type"));
    }

    private void ReadResponseItem(JsonElement item)
    {
        switch (Str(item, "type"))
        {
            case null or "message":
                ReadContent(item, "content", "input");
                break;
            case "function_call":
                AddString(item, "name");
                AddString(item, "arguments");
                break;
            case "custom_tool_call":
                AddString(item, "name");
                AddString(item, "input");
                break;
            case "function_call_output" or "custom_tool_call_output" or "computer_call_output":
                ReadContent(item, "output", "input");
                break;
            case "reasoning":
                ReadContent(item, "summary", "input");
                ReadContent(item, "content", "input");
                AddString(item, "encrypted_content");
                break;
            case "item_reference":
                UsesStoredContext = true;
                break;
            default:
                Texts.Add(item.GetRawText());
                break;
        }
    }
}
