using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CredentialBroker.Client.Tests.Infrastructure;

/// <summary>Keeps every log line (message and exception) so tests can check what was, and was not, logged.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(EventId Id, string Text)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public bool Contains(string fragment) => Entries.Any(e => e.Text.Contains(fragment, StringComparison.Ordinal));

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((eventId, formatter(state, exception) + " " + exception));
    }
}
