using System.Collections.Concurrent;

namespace CredentialBroker.Server.Telemetry;

/// <summary>
/// The host's <see cref="ILoggerFactory"/>: the standard factory (providers, filters, per-provider
/// levels all as configured) with every logger wrapped in a <see cref="RedactingLogger"/>, so no
/// provider, including ones added later, receives a secret.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner, LogRedactor redactor) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, name => new RedactingLogger(inner.CreateLogger(name), redactor));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The inner factory belongs to the container, which disposes it.
    public void Dispose()
    {
    }
}
