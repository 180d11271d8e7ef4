namespace CredentialBroker.Server.Telemetry;

/// <summary>Hands every event and scope to the real logger (and so to every provider) with secrets redacted.</summary>
internal sealed class RedactingLogger(ILogger inner, LogRedactor redactor) : ILogger
{
    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull =>
        inner.BeginScope(new RedactedState<TState>(state, null, null, redactor));

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        inner.Log(logLevel, eventId, new RedactedState<TState>(state, exception, formatter, redactor), redactor.Redact(exception), RedactedState<TState>.Format);
    }
}
