using System.Text;
using Microsoft.ML.Tokenizers;

namespace CredentialBroker.Server.Gateway;

/// <summary>
/// Upper-bound estimates of input tokens, so that a budget reservation is never lower than what the provider bills.
/// </summary>
/// <remarks>
/// <para>
/// OpenAI models are counted with their own tokenizer: o200k_base for gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3, o4,
/// chatgpt-4o, gpt-oss and codex models; cl100k_base for gpt-4, gpt-3.5 and text-embedding models. The estimate is
/// the token count of every text, plus token ids given directly, plus 4 per message and 3 for the reply primer, plus
/// the allowances below; then 5% more, rounded up, for the provider's hidden formatting.
/// </para>
/// <para>
/// Every other model (Anthropic claude-*, unknown OpenAI-compatible models) gets a conservative estimate without
/// its tokenizer: the UTF-8 byte count of every text (a byte-level BPE token covers at least one byte, so bytes never
/// under-count), plus token ids given directly, plus 8 per message and 16, plus the allowances. It typically
/// over-reserves three- to fourfold for English text.
/// </para>
/// <para>
/// A run of more than <see cref="LongRunChars"/> characters without whitespace (a base64 blob, minified code), or of
/// whitespace only, counts as its UTF-8 bytes rather than being tokenized, which would take quadratic time.
/// </para>
/// <para>
/// Both estimates add what the provider puts into the prompt unseen: <see cref="MediaPartAllowance"/> per image, audio or file
/// part (a long PDF can exceed it), <see cref="ToolPromptAllowance"/> once when tools are declared and
/// <see cref="BuiltInToolAllowance"/> per built-in tool. Input the provider adds from stored state
/// (<see cref="ProviderRequest.UsesStoredContext"/>) or from running built-in tools is not covered.
/// </para>
/// </remarks>
internal sealed class TokenEstimator
{
    /// <summary>Tokens reserved for each image, audio clip, file or document part.</summary>
    public const int MediaPartAllowance = 2000;

    /// <summary>
    /// Tokens added once when a request declares tools, for the tool-use system prompt the provider adds (Anthropic
    /// documents 313 to 530 tokens).
    /// </summary>
    public const int ToolPromptAllowance = 600;

    /// <summary>
    /// Tokens added per built-in tool, whose definition the provider supplies (Anthropic documents up to 735 tokens
    /// for computer use, plus its system prompt).
    /// </summary>
    public const int BuiltInToolAllowance = 1500;

    /// <summary>Longer runs of non-whitespace (or of whitespace) are counted by bytes, not tokenized.</summary>
    internal const int LongRunChars = 256;

    private static readonly Lazy<TiktokenTokenizer> _o200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<TiktokenTokenizer> _cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    private static readonly string[] _o200kPrefixes =
        ["gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "chatgpt-4o", "gpt-oss", "codex", "o1", "o3", "o4", "gpt-realtime", "gpt-audio", "computer-use"];

    private static readonly string[] _cl100kPrefixes = ["gpt-4", "gpt-3.5", "gpt-35", "text-embedding-", "davinci-002", "babbage-002"];

    /// <summary>An upper bound of the input tokens the provider will bill for <paramref name="request"/>.</summary>
    public long EstimateInputTokens(ProviderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hidden = (long)request.MediaPartCount * MediaPartAllowance + (long)request.BuiltInToolCount * BuiltInToolAllowance
            + (request.ToolNames.Count > 0 || request.BuiltInToolCount > 0 ? ToolPromptAllowance : 0);
        if (TokenizerFor(request.Model) is { } tokenizer)
        {
            var tokens = request.Texts.Sum(text => Count(tokenizer, text))
                + request.PreTokenizedCount + 4L * request.MessageCount + 3 + hidden;
            return (tokens * 105 + 99) / 100;
        }

        return request.Texts.Sum(text => (long)Encoding.UTF8.GetByteCount(text))
            + request.PreTokenizedCount + 8L * request.MessageCount + 16 + hidden;
    }

    /// <summary>
    /// Tokens of generated text, for metering a stream that ended before the provider reported usage: the tokenizer's
    /// count for OpenAI models; for others an estimate of one token per three UTF-8 bytes, rounded up.
    /// </summary>
    public long CountTokens(string model, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TokenizerFor(model) is { } tokenizer
            ? Count(tokenizer, text)
            : (Encoding.UTF8.GetByteCount(text) + 2L) / 3;
    }

    /// <summary>The tokenizer of an OpenAI model family, or null for models counted by bytes.</summary>
    internal static TiktokenTokenizer? TokenizerFor(string model)
    {
        var name = Normalize(model);
        if (_o200kPrefixes.Any(p => IsFamily(name, p)))
        {
            return _o200k.Value;
        }

        return _cl100kPrefixes.Any(p => IsFamily(name, p)) ? _cl100k.Value : null;
    }

    /// <summary>
    /// The tokenizer's count, except that a run of more than <see cref="LongRunChars"/> characters without a change
    /// between whitespace and non-whitespace counts as its UTF-8 bytes plus one for the cut. BPE on one long
    /// pre-token takes quadratic time (a 400 KB base64 blob takes half a minute); a token covers at least one byte,
    /// so the byte count stays an upper bound.
    /// </summary>
    private static long Count(TiktokenTokenizer tokenizer, string text)
    {
        var span = text.AsSpan();
        long count = 0;
        var segmentStart = 0;
        var i = 0;
        while (i < span.Length)
        {
            var runStart = i;
            var whitespace = char.IsWhiteSpace(span[i]);
            while (i < span.Length && char.IsWhiteSpace(span[i]) == whitespace)
            {
                i++;
            }

            if (i - runStart > LongRunChars)
            {
                count += CountSegment(tokenizer, span[segmentStart..runStart]);
                count += Encoding.UTF8.GetByteCount(span[runStart..i]) + 1;
                segmentStart = i;
            }
        }

        return count + CountSegment(tokenizer, span[segmentStart..]);
    }

    private static long CountSegment(TiktokenTokenizer tokenizer, ReadOnlySpan<char> segment)
    {
        if (segment.IsEmpty)
        {
            return 0;
        }

        long count = tokenizer.CountTokens(segment);
        if (segment.Contains("<|", StringComparison.Ordinal))
        {
            // The tokenizer reads "<|endoftext|>" in text as one special token; the API reads it as plain text.
            foreach (var special in tokenizer.SpecialTokens?.Keys ?? [])
            {
                count += Occurrences(segment, special) * (long)Encoding.UTF8.GetByteCount(special);
            }
        }

        return count;
    }

    private static int Occurrences(ReadOnlySpan<char> text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, StringComparison.Ordinal))
        {
            count++;
            text = text[(i + value.Length)..];
        }

        return count;
    }

    /// <summary>Lower case, without a fine-tune ("ft:") or router ("openai/") prefix.</summary>
    private static string Normalize(string model)
    {
        var name = model.Trim().ToLowerInvariant();
        if (name.StartsWith("ft:", StringComparison.Ordinal))
        {
            name = name[3..];
        }

        return name[(name.LastIndexOf('/') + 1)..];
    }

    /// <summary>"o1" matches "o1" and "o1-mini" but not "o100"; longer prefixes match as prefixes.</summary>
    private static bool IsFamily(string name, string prefix) =>
        prefix.Length > 2
            ? name.StartsWith(prefix, StringComparison.Ordinal)
            : name == prefix || (name.StartsWith(prefix, StringComparison.Ordinal) && name[prefix.Length] == '-');
}
