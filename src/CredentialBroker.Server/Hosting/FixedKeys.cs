using CredentialBroker.Server.Persistence;

namespace CredentialBroker.Server.Hosting;

/// <summary>
/// Keys read outside the options classes: by name in the broker's code, or by ASP.NET Core itself
/// (Kestrel, logging, host filtering). Defaults marked as shipped come from appsettings.json.
/// </summary>
internal static class FixedKeys
{
    private const string Kestrel = "Kestrel";
    private const string Logging = "Logging";

    public static readonly IReadOnlyList<ConfigurationKey> All =
    [
        new("Broker:DatabaseStartupTimeout", BrokerOptions.Section, "TimeSpan", DatabaseStartup.DefaultTimeout.ToString("c"), false,
            "How long start-up (and `migrations apply`) waits, retrying with backoff, for PostgreSQL to accept connections."),
        new("ConnectionStrings:Broker", "ConnectionStrings", "string", null, true,
            "Npgsql connection string of the broker's PostgreSQL database; the only state. Quartz's clustered job store uses the same database."),
        new("Kestrel:Endpoints:Grpc:Url", Kestrel, "string", "http://127.0.0.1:5080", false,
            "gRPC listener (shipped in appsettings.json). Plaintext needs HTTP/2 only; in a container listen on `http://+:5080`."),
        new("Kestrel:Endpoints:Grpc:Protocols", Kestrel, "HttpProtocols", "Http2", false,
            "Protocols of the gRPC listener (shipped in appsettings.json)."),
        new("Kestrel:Endpoints:Gateway:Url", Kestrel, "string", "http://127.0.0.1:5081", false,
            "Gateway listener (shipped in appsettings.json); also serves `/healthz`, `/readyz` and `/metrics`."),
        new("Kestrel:Endpoints:Gateway:Protocols", Kestrel, "HttpProtocols", "Http1AndHttp2", false,
            "Protocols of the gateway listener (shipped in appsettings.json); cleartext serves HTTP/1.1 only."),
        new("Kestrel:Endpoints:<Name>:Url", Kestrel, "string", null, false,
            "URL of any other endpoint; every endpoint serves every route. `https://` needs a certificate."),
        new("Kestrel:Endpoints:<Name>:Protocols", Kestrel, "HttpProtocols", "Http1AndHttp2", false,
            "`Http1`, `Http2` or `Http1AndHttp2`. Under TLS one `Http1AndHttp2` endpoint serves gRPC and the gateway."),
        new("Kestrel:Endpoints:<Name>:Certificate:Path", Kestrel, "string", null, false,
            "PEM (or PFX) certificate of an `https://` endpoint. Client certificates are then requested and checked against `Broker:ClientCertificateCaFile`."),
        new("Kestrel:Endpoints:<Name>:Certificate:KeyPath", Kestrel, "string", null, false,
            "PEM private key of that certificate."),
        new("Kestrel:Endpoints:<Name>:Certificate:Password", Kestrel, "string", null, false,
            "Password of an encrypted key or a PFX file."),
        new("Logging:LogLevel:Default", Logging, "LogLevel", "Information", false,
            "Minimum level of log messages (shipped in appsettings.json)."),
        new("Logging:LogLevel:<Category>", Logging, "LogLevel", null, false,
            "Minimum level for one category prefix; appsettings.json sets `Microsoft.AspNetCore`, `Microsoft.EntityFrameworkCore` and `Quartz` to `Warning`."),
        new("Logging:Console:FormatterName", Logging, "string", "simple", false,
            "Console log format: `simple`, `json` (one JSON object per line, for log collectors) or `systemd`."),
        new("Logging:Console:FormatterOptions:<Option>", Logging, "string", null, false,
            "Options of the console formatter, e.g. `TimestampFormat`, `UseUtcTimestamp`, `IncludeScopes`."),
        new("AllowedHosts", "Host", "string", "*", false,
            "Host names the server answers to (`;`-separated; shipped in appsettings.json). Behind a load balancer that checks hosts, leave `*`."),
    ];
}
