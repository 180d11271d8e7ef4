using System.CommandLine;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>
/// One invocation's settings and streams, resolved from global options, the environment and the login config file,
/// in that order of precedence (flag &gt; environment variable &gt; config file &gt; default).
/// </summary>
public sealed class CliContext : IDisposable
{
    private readonly ParseResult _parseResult;
    private readonly Lazy<CliConfig?> _config;
    private GrpcChannel? _channel;
    private X509Certificate2? _clientCertificate;
    private X509Certificate2Collection? _trustedRoots;

    public CliContext(ParseResult parseResult, CliEnvironment environment, TextWriter stdout, TextWriter stderr)
    {
        _parseResult = parseResult;
        Environment = environment;
        Out = stdout;
        Error = stderr;
        Format = parseResult.GetValue(GlobalOptions.Output);
        _config = new Lazy<CliConfig?>(() => CliConfig.Load(environment));
        Address =
            NonEmpty(parseResult.GetValue(GlobalOptions.Address))
            ?? NonEmpty(environment.GetVariable("BROKER_ADDR"))
            ?? NonEmpty(LoadConfigQuietly()?.Addr)
            ?? GlobalOptions.DefaultAddress;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public CliEnvironment Environment { get; }

    public OutputFormat Format { get; }

    public string Address { get; }

    /// <summary>The token from --token or BROKER_TOKEN, without the config file.</summary>
    public string? ExplicitToken =>
        NonEmpty(_parseResult.GetValue(GlobalOptions.Token))
        ?? NonEmpty(Environment.GetVariable("BROKER_TOKEN"));

    /// <summary>
    /// The token by precedence: --token, BROKER_TOKEN, the config file. The saved token is only sent to the address it
    /// was saved with, so pointing --addr or BROKER_ADDR at another broker never leaks it there.
    /// </summary>
    public string? Token => ExplicitToken ?? (SavedTokenApplies ? NonEmpty(_config.Value?.Token) : null);

    private bool SavedTokenApplies =>
        _config.Value is { } config && (NonEmpty(config.Addr) is null || SameAddress(config.Addr!, Address));

    /// <summary>
    /// An authenticated call invoker: with <paramref name="token"/> or <see cref="Token"/> as bearer token, or, when there is
    /// none but a client certificate is configured, authenticated by the certificate alone (mTLS). Otherwise a usage error.
    /// </summary>
    public CallInvoker CreateInvoker(string? token = null)
    {
        token ??= Token;
        if (token is null && Setting(GlobalOptions.ClientCert, "BROKER_CLIENT_CERT") is null)
        {
            var saved = _config.Value is { Token: { Length: > 0 }, Addr: { Length: > 0 } addr } && !SavedTokenApplies ? $"; the saved login is for {addr}" : string.Empty;
            throw new UsageException($"no access token: pass --token, set BROKER_TOKEN or run 'brokerctl login' (or use --client-cert){saved}");
        }

        if (!Uri.TryCreate(Address, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new UsageException($"invalid --addr '{Address}' (expected http://host:port or https://host:port)");
        }

        _channel ??= GrpcChannel.ForAddress(uri, new GrpcChannelOptions { HttpHandler = CreateHandler() });
        if (token is null)
        {
            return _channel.CreateCallInvoker();
        }

        return _channel.Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return metadata;
        });
    }

    public void Dispose()
    {
        _channel?.Dispose();
        _clientCertificate?.Dispose();
        if (_trustedRoots is not null)
        {
            foreach (var certificate in _trustedRoots)
            {
                certificate.Dispose();
            }
        }
    }

    private SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), EnableMultipleHttp2Connections = true };
        var caCert = Setting(GlobalOptions.CaCert, "BROKER_CACERT");
        var clientCert = Setting(GlobalOptions.ClientCert, "BROKER_CLIENT_CERT");
        var clientKey = Setting(GlobalOptions.ClientKey, "BROKER_CLIENT_KEY");
        if (caCert is null && clientCert is null && clientKey is null)
        {
            return handler;
        }

        if (clientKey is not null && clientCert is null)
        {
            throw new UsageException($"{clientKey.Value.Name} needs --client-cert (or BROKER_CLIENT_CERT)");
        }

        var ssl = new SslClientAuthenticationOptions();
        if (caCert is { } ca)
        {
            var roots = new X509Certificate2Collection();
            _trustedRoots = roots;
            try
            {
                roots.ImportFromPemFile(RequireFile(ca));
            }
            catch (CryptographicException exception)
            {
                throw new UsageException($"{ca.Name}: cannot read PEM certificates from '{ca.Path}': {exception.Message}");
            }

            if (roots.Count == 0)
            {
                throw new UsageException($"{ca.Name}: no certificates in '{ca.Path}'");
            }

            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => ValidateServer(roots, certificate, chain, errors);
        }

        if (clientCert is { } cert)
        {
            var certPath = RequireFile(cert);
            var keyPath = clientKey is { } key ? RequireFile(key) : null;
            try
            {
                _clientCertificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            }
            catch (CryptographicException exception)
            {
                var names = clientKey is { } k ? $"{cert.Name}/{k.Name}" : cert.Name;
                throw new UsageException($"{names}: cannot load the client certificate and key: {exception.Message}");
            }

            ssl.ClientCertificates = [_clientCertificate];
        }

        handler.SslOptions = ssl;
        return handler;
    }

    /// <summary>Accepts the server certificate only when its name matches and its chain ends in one of <paramref name="roots"/>.</summary>
    private static bool ValidateServer(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    private (string Name, string Path)? Setting(Option<string?> option, string variable)
    {
        if (NonEmpty(_parseResult.GetValue(option)) is { } fromFlag)
        {
            return (option.Name, fromFlag);
        }

        return NonEmpty(Environment.GetVariable(variable)) is { } fromEnv ? ($"{option.Name} (from {variable})", fromEnv) : null;
    }

    private static string RequireFile((string Name, string Path) setting) =>
        File.Exists(setting.Path) ? setting.Path : throw new UsageException($"{setting.Name}: file not found: {setting.Path}");

    private CliConfig? LoadConfigQuietly()
    {
        try
        {
            return _config.Value;
        }
        catch (UsageException)
        {
            // Reported when the token is needed; an address alone falls back to the default.
            return null;
        }
    }

    private static bool SameAddress(string a, string b) =>
        string.Equals(a.Trim().TrimEnd('/'), b.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
