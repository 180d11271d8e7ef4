using System.Collections;

namespace CredentialBroker.Server.Telemetry;

/// <summary>
/// A log event's state as the providers see it: the same properties and message, redacted when a
/// provider reads them (providers that filter the event out cost nothing).
/// </summary>
internal sealed class RedactedState<TState>(TState state, Exception? exception, Func<TState, Exception?, string>? formatter, LogRedactor redactor)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    private IReadOnlyList<KeyValuePair<string, object?>>? _properties = state as IReadOnlyList<KeyValuePair<string, object?>>;
    private string? _message;

    /// <summary>The original properties; other enumerable states (a dictionary scope) are copied on first read.</summary>
    private IReadOnlyList<KeyValuePair<string, object?>>? Properties =>
        _properties ??= state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToList() : null;

    public string Message => _message ??= redactor.Redact(formatter is null ? state?.ToString() ?? string.Empty : formatter(state, exception));

    public int Count => Properties?.Count ?? 0;

    public KeyValuePair<string, object?> this[int index]
    {
        get
        {
            var property = Properties is { } properties ? properties[index] : throw new ArgumentOutOfRangeException(nameof(index));
            return new(property.Key, redactor.RedactValue(property.Value));
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;

    /// <summary>The formatter handed to providers.</summary>
    public static string Format(RedactedState<TState> redacted, Exception? exception) => redacted.Message;
}
