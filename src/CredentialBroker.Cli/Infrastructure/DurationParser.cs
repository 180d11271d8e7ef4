using System.Globalization;
using System.CommandLine.Parsing;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Parses durations written as a number and a unit: 90s, 15m, 24h, 7d.</summary>
public static class DurationParser
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a positive number followed by s, m, h or d.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length < 2)
        {
            return false;
        }

        var unit = char.ToLowerInvariant(text[^1]);
        if (!long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return false;
        }

        try
        {
            duration = unit switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => TimeSpan.Zero,
            };
        }
        catch (OverflowException)
        {
            return false;
        }

        return duration > TimeSpan.Zero;
    }

    /// <summary>Parses or throws a <see cref="UsageException"/> naming <paramref name="what"/>.</summary>
    public static TimeSpan Parse(string text, string what) =>
        TryParse(text, out var duration)
            ? duration
            : throw new UsageException($"invalid duration '{text}' for {what} (use forms like 90s, 15m, 24h, 7d)");

    /// <summary>A System.CommandLine parser for an optional duration option.</summary>
    public static TimeSpan? ParseArgument(ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (token is null)
        {
            return null;
        }

        if (TryParse(token, out var duration))
        {
            return duration;
        }

        result.AddError($"invalid duration '{token}' (use forms like 90s, 15m, 24h, 7d)");
        return null;
    }
}
