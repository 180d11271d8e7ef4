namespace CredentialBroker.Server.Webhooks;

/// <summary>Matches audit actions against webhook event patterns, where <c>*</c> is any run of characters.</summary>
internal static class EventPattern
{
    public static bool MatchesAny(IReadOnlyList<string> patterns, string action)
    {
        foreach (var pattern in patterns)
        {
            if (Matches(pattern, action))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Matches(string pattern, string value) => Matches(pattern.AsSpan(), value.AsSpan());

    private static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value)
    {
        var star = pattern.IndexOf('*');
        if (star < 0)
        {
            return pattern.Equals(value, StringComparison.Ordinal);
        }

        if (!value.StartsWith(pattern[..star], StringComparison.Ordinal))
        {
            return false;
        }

        var rest = pattern[(star + 1)..];
        value = value[star..];
        for (var i = 0; i <= value.Length; i++)
        {
            if (Matches(rest, value[i..]))
            {
                return true;
            }
        }

        return false;
    }
}
