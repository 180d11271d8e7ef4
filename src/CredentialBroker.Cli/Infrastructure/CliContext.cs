using System.CommandLine;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>One invocation's settings and streams, resolved from global options and the environment.</summary>
public sealed class CliContext(ParseResult parseResult, CliEnvironment environment, TextWriter stdout, TextWriter stderr) : IDisposable
{
    private GrpcChannel? _channel;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public CliEnvironment Environment { get; } = environment;

    public OutputFormat Format { get; } = parseResult.GetValue(GlobalOptions.Output);

    public string Address { get; } =
        NonEmpty(parseResult.GetValue(GlobalOptions.Address))
        ?? NonEmpty(environment.GetVariable("BROKER_ADDR"))
        ?? GlobalOptions.DefaultAddress;

    private string? Token { get; } =
        NonEmpty(parseResult.GetValue(GlobalOptions.Token))
        ?? NonEmpty(environment.GetVariable("BROKER_TOKEN"));

    /// <summary>An authenticated call invoker; throws a usage error when no token was given.</summary>
    public CallInvoker CreateInvoker()
    {
        var token = Token ?? throw new UsageException("no access token: pass --token or set BROKER_TOKEN");
        if (!Uri.TryCreate(Address, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new UsageException($"invalid --addr '{Address}' (expected http://host:port or https://host:port)");
        }

        _channel ??= GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), EnableMultipleHttp2Connections = true },
        });
        return _channel.Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return metadata;
        });
    }

    public void Dispose() => _channel?.Dispose();

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
