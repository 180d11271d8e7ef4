using CredentialBroker.Cli;
using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Tests.Infrastructure;

/// <summary>Runs brokerctl in-process with captured output and no access to the real environment.</summary>
public static class Brokerctl
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(new CliEnvironment { GetVariable = _ => null, IsInteractive = false, Input = TextReader.Null, ConfigDirectory = UnusedConfigDirectory() }, args);

    public static async Task<CliResult> RunAsync(CliEnvironment environment, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exitCode = await BrokerCli.InvokeAsync(args, stdout, stderr, environment);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A config directory that does not exist, so tests never read the user's real login.</summary>
    public static string UnusedConfigDirectory() => Path.Combine(Path.GetTempPath(), "brokerctl-tests-" + Guid.NewGuid().ToString("N"), "brokerctl");

    /// <summary>A test environment: no variables unless given, not a terminal.</summary>
    public static CliEnvironment Environment(TimeProvider? time = null, IDictionary<string, string>? variables = null, string? input = null, string? configDirectory = null) => new()
    {
        ConfigDirectory = configDirectory ?? UnusedConfigDirectory(),
        GetVariable = name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
        IsInteractive = input is not null,
        Input = new StringReader(input ?? string.Empty),
        Time = time ?? TimeProvider.System,
    };
}

/// <summary>Exit code and captured streams of one run.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
