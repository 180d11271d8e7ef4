using System.Collections.Concurrent;
using CredentialBroker.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CredentialBroker.IntegrationTests.Telemetry;

/// <summary>
/// A gateway broker logging at Debug into <see cref="Lines"/> through a plain provider of the test's own,
/// registered like any other: what it receives is what a log shipper would. The console stays at Warning.
/// </summary>
public sealed class LogCaptureFixture : GatewayFixture
{
    public ConcurrentQueue<string> Lines { get; } = new();

    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Debug",
        ["Logging:Console:LogLevel:Default"] = "Warning",
        ["Broker:Logging:Format"] = "json",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(new CapturingProvider(Lines));

    /// <summary>Writes each event as the message, every state value, every scope and the exception text.</summary>
    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = new System.Text.StringBuilder($"{logLevel} {category}: {formatter(state, exception)}");
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var (key, value) in values)
                    {
                        line.Append($" {key}={value}");
                    }
                }

                provider._scopes?.ForEachScope((scope, sb) => sb.Append(" scope=").Append(scope), line);
                if (exception is not null)
                {
                    line.Append(' ').Append(exception);
                }

                provider.Lines.Enqueue(line.ToString());
            }
        }

        public ConcurrentQueue<string> Lines => lines;
    }
}
