using System.CommandLine;
using CredentialBroker.Cli.Admin;
using CredentialBroker.Cli.Audit;
using CredentialBroker.Cli.Credentials;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.Cli.Revocation;

namespace CredentialBroker.Cli;

/// <summary>Entry points of brokerctl, reachable from tests.</summary>
public static class BrokerCli
{
    /// <summary>The full command tree.</summary>
    public static RootCommand BuildRootCommand(CliEnvironment? environment = null)
    {
        var env = environment ?? new CliEnvironment();
        var root = new RootCommand("brokerctl: manage credentials, revocations, the audit log and registrations of a CredentialBroker.")
        {
            GlobalOptions.Address,
            GlobalOptions.Token,
            GlobalOptions.Output,
            CredsCommand.Create(env),
            RevokeCommand.Create(env),
            AuditCommand.Create(env),
            OwnersCommand.Create(env),
            WorkloadsCommand.Create(env),
            PurposesCommand.Create(env),
            GrantsCommand.Create(env),
            ProvidersCommand.Create(env),
            TokensCommand.Create(env),
        };
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static async Task<int> InvokeAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        CliEnvironment? environment = null,
        CancellationToken cancellationToken = default)
    {
        var root = BuildRootCommand(environment);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && !IsHelpRequest(parseResult))
        {
            stderr.WriteLine("error: " + OneLine(parseResult.Errors[0].Message));
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception exception)
        {
            return CommandAction.Report(exception, GlobalOptions.DefaultAddress, stderr);
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool IsHelpRequest(ParseResult parseResult) =>
        parseResult.Action is System.CommandLine.Help.HelpAction;
}
