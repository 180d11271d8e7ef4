using System.Text.Json;

namespace CredentialBroker.Simulator;

/// <summary>
/// The simulated tokenizer: one token per whitespace-separated word of text content, one per entry of
/// a token array, and <see cref="PerMessage"/> more for each message.
/// </summary>
internal static class InputTokens
{
    public const int PerMessage = 3;

    /// <summary>What a request is charged when its text is empty: providers never report zero input.</summary>
    public static int AtLeastOne(int tokens) => Math.Max(1, tokens);

    public static int Words(string text)
    {
        var words = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var isSpace = char.IsWhiteSpace(c);
            if (!isSpace && !inWord)
            {
                words++;
            }

            inWord = !isSpace;
        }

        return words;
    }

    /// <summary>Message content: a string, or an array of parts (blocks) whose <c>text</c> counts.</summary>
    public static int Content(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => Words(content.GetString()!),
        JsonValueKind.Array => content.EnumerateArray().Sum(part => Words(StringProperty(part, "text"))),
        _ => 0,
    };

    /// <summary>A message list (chat, Anthropic, Responses items): content plus <see cref="PerMessage"/> each.</summary>
    public static int Messages(JsonElement messages) => messages.ValueKind == JsonValueKind.Array
        ? messages.EnumerateArray().Sum(message =>
            PerMessage + (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content) ? Content(content) : 0))
        : 0;

    /// <summary>
    /// A prompt or embeddings input: a string, an array of strings, an array of token ids (one each) or
    /// an array of token-id arrays.
    /// </summary>
    public static int Prompts(JsonElement input) => input.ValueKind switch
    {
        JsonValueKind.String => Words(input.GetString()!),
        JsonValueKind.Number => 1,
        JsonValueKind.Array => input.EnumerateArray().Sum(Prompts),
        _ => 0,
    };

    private static string StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : string.Empty;
}
