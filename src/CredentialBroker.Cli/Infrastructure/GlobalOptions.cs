using System.CommandLine;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Options every command accepts.</summary>
public static class GlobalOptions
{
    public const string DefaultAddress = "http://127.0.0.1:5080";

    public static readonly Option<string?> Address = new("--addr")
    {
        Description = $"Broker gRPC address (env BROKER_ADDR, default {DefaultAddress})",
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Bearer access token (env BROKER_TOKEN)",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = CreateOutput();

    private static Option<OutputFormat> CreateOutput()
    {
        var option = new Option<OutputFormat>("--output", "-o")
        {
            Description = "Output format: table or json",
            Recursive = true,
            DefaultValueFactory = _ => OutputFormat.Table,
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }
}
