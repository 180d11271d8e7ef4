using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>
/// Parses a point in time: an RFC 3339 time (2026-01-31T12:00:00Z, 2026-01-31T13:00:00+01:00), a date
/// (2026-01-31, midnight UTC) or a span ago (24h, 7d; see <see cref="DurationParser"/>).
/// </summary>
public static partial class TimeParser
{
    public const string Forms = "use an RFC 3339 time like 2026-01-31T12:00:00Z, a date like 2026-01-31, or a span ago like 24h or 7d";

    /// <summary>Parses <paramref name="text"/>; spans count back from <paramref name="now"/>.</summary>
    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset time)
    {
        time = default;
        var trimmed = text?.Trim() ?? string.Empty;
        if (DurationParser.TryParse(trimmed, out var ago))
        {
            time = now - ago;
            return true;
        }

        if (DateOnlyPattern().IsMatch(trimmed))
        {
            return DateTimeOffset.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
        }

        // RFC 3339 requires the offset; a time without one would silently mean the local zone.
        return Rfc3339Pattern().IsMatch(trimmed)
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    /// <summary>A System.CommandLine parser for an optional time option, relative to <paramref name="time"/>'s now.</summary>
    public static DateTimeOffset? ParseArgument(ArgumentResult result, TimeProvider time)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (token is null)
        {
            return null;
        }

        if (TryParse(token, time.GetUtcNow(), out var parsed))
        {
            return parsed;
        }

        result.AddError($"invalid time '{token}' ({Forms})");
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateOnlyPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339Pattern();
}
