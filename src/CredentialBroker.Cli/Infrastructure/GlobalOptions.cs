using System.CommandLine;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Options every command accepts.</summary>
public static class GlobalOptions
{
    public const string DefaultAddress = "http://127.0.0.1:5080";

    public static readonly Option<string?> Address = new("--addr")
    {
        Description = $"Broker gRPC address (env BROKER_ADDR, then the login config file, default {DefaultAddress})",
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Bearer access token (env BROKER_TOKEN, then the login config file)",
        Recursive = true,
    };

    public static readonly Option<string?> CaCert = new("--ca-cert")
    {
        Description = "PEM bundle of CA certificates to trust for the broker's TLS certificate (env BROKER_CACERT)",
        Recursive = true,
    };

    public static readonly Option<string?> ClientCert = new("--client-cert")
    {
        Description = "PEM client certificate for mutual TLS (env BROKER_CLIENT_CERT)",
        Recursive = true,
    };

    public static readonly Option<string?> ClientKey = new("--client-key")
    {
        Description = "PEM private key of --client-cert (env BROKER_CLIENT_KEY; default: read from the certificate file)",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = CreateOutput();

    private static Option<OutputFormat> CreateOutput()
    {
        var option = new Option<OutputFormat>("--output", "-o")
        {
            Description = "Output format: table or json (csv for inventory and report compliance)",
            Recursive = true,
            DefaultValueFactory = _ => OutputFormat.Table,
        };
        option.AcceptOnlyFromAmong("table", "json", "csv");
        return option;
    }
}
