using CredentialBroker.Server.Grpc;

namespace CredentialBroker.Server.Policy;

/// <summary>
/// Tool names and glob patterns ("shell_*", "*delete*", "fs_?"): "*" matches any run of characters,
/// "?" exactly one. Matching ignores case, so "Shell_Exec" cannot slip past "shell_*".
/// </summary>
internal static class ToolPatterns
{
    public const int MaxLength = 128;
    public const int MaxCount = 64;

    /// <summary>Whether <paramref name="tool"/> matches any of <paramref name="patterns"/>.</summary>
    public static bool AnyMatches(IEnumerable<string> patterns, string tool) => patterns.Any(p => Matches(p, tool));

    /// <summary>Whether <paramref name="tool"/> matches <paramref name="pattern"/>, case-insensitively.</summary>
    public static bool Matches(string pattern, string tool) => Match(pattern.AsSpan(), tool.AsSpan());

    /// <summary>Why <paramref name="pattern"/> is not a tool pattern, or null when it is one.</summary>
    public static string? Problem(string pattern)
    {
        if (pattern.Length is 0 or > MaxLength)
        {
            return $"must be a tool name or pattern of 1-{MaxLength} characters";
        }

        foreach (var c in pattern)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':' or '*' or '?'))
            {
                return $"'{RequestValidator.Clip(pattern)}' may contain only letters, digits, '_', '-', '.', ':' and the wildcards '*' and '?'";
            }
        }

        return null;
    }

    /// <summary>Checks a list of patterns, recording every problem; returns them trimmed and de-duplicated.</summary>
    public static List<string> Validate(RequestValidator v, string field, IReadOnlyList<string> patterns, bool required = false)
    {
        if (required && patterns.Count == 0)
        {
            v.Add(field, "must name at least one tool");
        }

        if (patterns.Count > MaxCount)
        {
            v.Add(field, $"names {patterns.Count} tools; at most {MaxCount} are allowed");
        }

        var result = new List<string>();
        for (var i = 0; i < patterns.Count; i++)
        {
            var pattern = patterns[i].Trim();
            if (Problem(pattern) is { } problem)
            {
                v.Add($"{field}[{i}]", problem);
            }
            else if (!result.Contains(pattern, StringComparer.OrdinalIgnoreCase))
            {
                result.Add(pattern);
            }
        }

        return result;
    }

    // Iterative glob matching with one backtrack point: linear in practice, no regex, no blow-up.
    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
