using System.Globalization;
using CredentialBroker.Server.Audit;

namespace CredentialBroker.Server.Telemetry;

/// <summary>
/// What every log line goes through: <see cref="SecretScrubber"/>'s secret shapes, plus secrets the broker
/// was configured with (the bootstrap token, master keys), which have no recognisable shape.
/// </summary>
internal sealed class LogRedactor
{
    public const string Redacted = "[redacted]";

    private readonly string[] _literals;

    public LogRedactor(IEnumerable<string?> configuredSecrets) =>
        _literals = configuredSecrets.Where(s => s is { Length: >= 8 }).Select(s => s!).Distinct(StringComparer.Ordinal).ToArray();

    public string Redact(string text)
    {
        var scrubbed = SecretScrubber.Scrub(text);
        foreach (var literal in _literals)
        {
            if (scrubbed.Contains(literal, StringComparison.Ordinal))
            {
                scrubbed = scrubbed.Replace(literal, Redacted, StringComparison.Ordinal);
            }
        }

        return scrubbed;
    }

    /// <summary>A structured-logging value: strings are redacted; numbers, ids and times pass as they are; anything else becomes its redacted text.</summary>
    public object? RedactValue(object? value) => value switch
    {
        null => null,
        string s => Redact(s),
        bool or char or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => value,
        Guid or DateTime or DateTimeOffset or TimeSpan or Enum => value,
        IFormattable f => Redact(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => Redact(value.ToString() ?? string.Empty),
    };

    /// <summary>The exception itself when its text holds nothing to redact, else a stand-in whose text is redacted.</summary>
    public Exception? Redact(Exception? exception)
    {
        if (exception is null)
        {
            return null;
        }

        var text = exception.ToString();
        var redacted = Redact(text);
        return ReferenceEquals(text, redacted) ? exception : new RedactedException(Redact(exception.Message), redacted);
    }
}
