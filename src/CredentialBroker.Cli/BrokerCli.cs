using System.CommandLine;
using CredentialBroker.Cli.Admin;
using CredentialBroker.Cli.Approvals;
using CredentialBroker.Cli.Audit;
using CredentialBroker.Cli.Credentials;
using CredentialBroker.Cli.Identity;
using CredentialBroker.Cli.Reports;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.Cli.Revocation;
using CredentialBroker.Cli.Usage;

namespace CredentialBroker.Cli;

/// <summary>Entry points of brokerctl, reachable from tests.</summary>
public static class BrokerCli
{
    /// <summary>The full command tree.</summary>
    public static RootCommand BuildRootCommand(CliEnvironment? environment = null)
    {
        var env = environment ?? new CliEnvironment();
        var root = new RootCommand("""
            brokerctl: manage credentials, revocations, the audit log, usage and registrations of a CredentialBroker.
            Settings are taken from flags, then environment variables (BROKER_ADDR, BROKER_TOKEN, BROKER_CACERT,
            BROKER_CLIENT_CERT, BROKER_CLIENT_KEY), then the config file written by 'brokerctl login'.

            Examples:
              brokerctl login --addr https://broker.internal:5443 --ca-cert ca.pem --token-stdin < token.txt
              brokerctl whoami
              brokerctl creds list --expiring-within 24h
              brokerctl creds renew --all-expiring-within 24h --ttl 1h
              brokerctl usage --purpose 9a2f... --window day
              brokerctl report compliance
            """)
        {
            GlobalOptions.Address,
            GlobalOptions.Token,
            GlobalOptions.Output,
            GlobalOptions.CaCert,
            GlobalOptions.ClientCert,
            GlobalOptions.ClientKey,
            WhoAmICommand.Create(env),
            LoginCommand.Create(env),
            LoginCommand.CreateLogout(env),
            CredsCommand.Create(env),
            RevokeCommand.Create(env),
            AuditCommand.Create(env),
            Anomalies.AnomaliesCommand.Create(env),
            UsageCommand.Create(env),
            InventoryCommand.Create(env),
            ReportCommand.Create(env),
            OwnersCommand.Create(env),
            WorkloadsCommand.Create(env),
            PurposesCommand.Create(env),
            GrantsCommand.Create(env),
            ProvidersCommand.Create(env),
            TokensCommand.Create(env),
            ApprovalsCommand.Create(env),
        };
        ShortenSubcommandListings(root);
        return root;
    }

    /// <summary>
    /// Descriptions end with an "Examples:" block, shown in a command's own help; in its parent's list of
    /// subcommands only the first line of the description is shown.
    /// </summary>
    private static void ShortenSubcommandListings(RootCommand root)
    {
        if (root.Options.OfType<System.CommandLine.Help.HelpOption>().FirstOrDefault() is { Action: System.CommandLine.Help.HelpAction original } helpOption)
        {
            helpOption.Action = new ShortListingHelpAction(original);
        }
    }

    /// <summary>The default help, shown while the listed subcommands' descriptions are cut to their first line.</summary>
    private sealed class ShortListingHelpAction(System.CommandLine.Help.HelpAction inner) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var subcommands = parseResult.CommandResult.Command.Subcommands.ToList();
            var full = subcommands.Select(c => c.Description).ToList();
            try
            {
                foreach (var command in subcommands)
                {
                    command.Description = FirstLine(command.Description);
                }

                return inner.Invoke(parseResult);
            }
            finally
            {
                for (var i = 0; i < subcommands.Count; i++)
                {
                    subcommands[i].Description = full[i];
                }
            }
        }
    }

    private static string FirstLine(string? text) =>
        text is null ? string.Empty : text.Split('\n', 2)[0].TrimEnd();

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
        parseResult.Action is System.CommandLine.Help.HelpAction or ShortListingHelpAction;
}
