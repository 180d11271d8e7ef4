using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Telemetry;
using Microsoft.Extensions.Logging;

namespace CredentialBroker.UnitTests.Telemetry;

public sealed partial class RedactingLoggerTests
{
    private const string Configured = "bootstrap-token-without-any-recognisable-shape";

    private static readonly string _key = SecretKey.Generate(SecretKey.CredentialKind);

    [Fact]
    public void Log_SecretInMessageStateScopeAndException_NoProviderSeesIt()
    {
        var (factory, seen) = Create();
        var logger = factory.CreateLogger("Test");

        using (logger.BeginScope(new Dictionary<string, object?> { ["Authorization"] = "Bearer " + _key }))
        {
            LogPasted(logger, _key, "sk-ant-api03-" + new string('x', 40), new InvalidOperationException("failed with " + _key));
        }

        var entry = Assert.Single(seen);
        Assert.DoesNotContain(_key, entry);
        Assert.DoesNotContain("xxxxxxxxxxxxxxxxxxxx", entry);
        Assert.Contains("pasted " + _key[..12] + "[redacted] and sk-ant-[redacted]", entry);
        Assert.Contains("Key=" + _key[..12] + "[redacted]", entry);
        Assert.Contains("Authorization:Bearer [redacted]", entry);
        Assert.Contains("System.InvalidOperationException: failed with " + _key[..12] + "[redacted]", entry);
    }

    [Fact]
    public void Log_ConfiguredSecret_IsRedacted_OtherTextUntouched()
    {
        var (factory, seen) = Create();
        factory.CreateLogger("Test").LogInformation("token {Token} for owner {Owner} at {Count}", Configured, "team-1", 3);

        Assert.Equal("token [redacted] for owner team-1 at 3 | Token=[redacted] Owner=team-1 Count=3 {OriginalFormat}=token {Token} for owner {Owner} at {Count}", Assert.Single(seen));
    }

    [Fact]
    public void Log_BelowTheConfiguredLevel_IsNotFormatted()
    {
        var (factory, seen) = Create(LogLevel.Information);
        var formatted = false;
        factory.CreateLogger("Test").Log(LogLevel.Debug, default, _key, null, (s, _) => { formatted = true; return s; });

        Assert.False(formatted);
        Assert.Empty(seen);
    }

    [Theory]
    [InlineData("Authorization: Bearer abcdefghijklmnop.qrs", "Authorization: Bearer [redacted]")]
    [InlineData("key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx123", "key sk-proj-[redacted]")]
    [InlineData("key sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-_1", "key sk-ant-[redacted]")]
    [InlineData("legacy sk-AbCdEfGhIjKlMnOpQrStUvWx", "legacy sk-[redacted]")]
    [InlineData("jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end", "jwt [redacted-jwt] end")]
    [InlineData("model gpt-4o-mini, prefix cbk_AbC12345, sk-short", "model gpt-4o-mini, prefix cbk_AbC12345, sk-short")]
    public void Scrub_SecretShapes_AreRedacted(string text, string expected) =>
        Assert.Equal(expected, SecretScrubber.Scrub(text));

    private static (ILoggerFactory Factory, List<string> Seen) Create(LogLevel minimum = LogLevel.Trace)
    {
        var seen = new List<string>();
        var inner = LoggerFactory.Create(b => b.SetMinimumLevel(minimum).AddProvider(new ListProvider(seen)));
        return (new RedactingLoggerFactory(inner, new LogRedactor([Configured, null, "short"])), seen);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "pasted {Key} and {RootKey}")]
    private static partial void LogPasted(ILogger logger, string key, string rootKey, Exception exception);

    /// <summary>Writes what a provider receives: the message, each state value, each scope, the exception text.</summary>
    private sealed class ListProvider(List<string> seen) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ListProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var text = formatter(state, exception) + " |";
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    text += string.Concat(values.Select(v => $" {v.Key}={v.Value}"));
                }

                provider._scopes?.ForEachScope((scope, _) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        text += string.Concat(pairs.Select(p => $" {p.Key}:{p.Value}"));
                    }
                }, 0);
                if (exception is not null)
                {
                    text += " " + exception;
                }

                provider.Seen.Add(text);
            }
        }

        public List<string> Seen => seen;
    }
}
