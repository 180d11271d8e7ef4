using System.CommandLine.Parsing;
using System.Globalization;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>US dollars as written by people (10, 0.05) and as the broker counts them (micro-USD, 1 USD = 1,000,000).</summary>
public static class Usd
{
    private const decimal MicrosPerUsd = 1_000_000m;

    /// <summary>
    /// Converts a decimal dollar amount to micro-USD exactly; null with an explanation when <paramref name="text"/> is
    /// not a plain decimal number, is negative, has more than 6 decimals or does not fit.
    /// </summary>
    public static long? TryParseMicros(string? text, out string error)
    {
        error = string.Empty;
        var trimmed = text?.Trim() ?? string.Empty;
        if (!decimal.TryParse(trimmed, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd))
        {
            error = "not a decimal number of dollars (e.g. 10 or 0.05)";
            return null;
        }

        if (usd < 0)
        {
            error = "must not be negative";
            return null;
        }

        var micros = usd * MicrosPerUsd;
        if (micros != decimal.Truncate(micros))
        {
            error = "at most 6 decimals (the broker counts in millionths of a dollar)";
            return null;
        }

        if (micros > long.MaxValue)
        {
            error = "too large";
            return null;
        }

        return (long)micros;
    }

    /// <summary>Converts or throws a <see cref="UsageException"/> naming <paramref name="what"/>.</summary>
    public static long ParseMicros(string? text, string what) =>
        TryParseMicros(text, out var error) ?? throw new UsageException($"invalid USD amount '{text}' for {what}: {error}");

    /// <summary>A System.CommandLine parser for an optional dollar option; the value is in micro-USD.</summary>
    public static long? ParseArgument(ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (token is null)
        {
            return null;
        }

        if (TryParseMicros(token, out var error) is { } micros)
        {
            return micros;
        }

        result.AddError($"invalid USD amount '{token}' for {OptionName(result)}: {error}");
        return null;
    }

    /// <summary>Micro-USD as dollars with up to 6 decimals and no trailing zeros: "$0.0123", "$10".</summary>
    public static string Format(long micros) =>
        (micros < 0 ? "-$" : "$") + (Math.Abs((decimal)micros) / MicrosPerUsd).ToString("0.######", CultureInfo.InvariantCulture);

    private static string OptionName(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
