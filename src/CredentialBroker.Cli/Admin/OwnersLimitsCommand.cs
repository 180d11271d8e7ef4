using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>owners limits ID</c>: replaces an owner's limits, from flags, a limits file or --clear.</summary>
public static class OwnersLimitsCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Owner id" };
        var file = new Option<string?>("--file", "-f") { Description = "YAML or JSON limits file: requests_per_minute, tokens_per_minute, budgets" };
        var clear = new Option<bool>("--clear") { Description = "Remove all of the owner's limits" };
        var flags = new LimitFlags();
        var command = new Command("limits", """
            Replace an owner's rate limits and budgets (over all its credentials together)

            The new limits replace the old ones as a whole: a limit not given is removed.

            Examples:
              brokerctl owners limits 3b0e... --requests-per-minute 600 --tokens-per-minute 2000000 --daily-usd 100 --monthly-usd 2000 --alert-percent 80
              brokerctl owners limits 3b0e... -f limits.yaml
              brokerctl owners limits 3b0e... --clear

            A limits file:
              requests_per_minute: 600
              tokens_per_minute: 2000000
              budgets:
                - {window: day, max_usd: 100, alert_percent: 80}
                - {window: month, max_usd: 2000, max_tokens: 500000000}
            """)
        {
            id, file, clear,
        };
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var request = new SetOwnerLimitsRequest { OwnerId = parse.GetRequiredValue(id), Limits = ReadLimits(parse, file, clear, flags) };
            var owner = await new AdminService.AdminServiceClient(ctx.CreateInvoker()).SetOwnerLimitsAsync(request, cancellationToken: ct);
            Printer.One(ctx, owner, OwnersCommand.Headers, OwnersCommand.Row);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The limits from exactly one source: the file, the flags, or none at all with --clear.</summary>
    private static Limits ReadLimits(ParseResult parse, Option<string?> file, Option<bool> clear, LimitFlags flags)
    {
        var path = parse.GetValue(file);
        var fromFlags = flags.AnyGiven(parse);
        if (parse.GetValue(clear))
        {
            return path is null && !fromFlags
                ? new Limits()
                : throw new UsageException("--clear cannot be combined with -f or limit flags");
        }

        if (path is not null)
        {
            return !fromFlags
                ? LimitsFile.Load(path)
                : throw new UsageException("give the limits either in -f FILE or as flags, not both");
        }

        return flags.ToLimits(parse)
            ?? throw new UsageException("give -f FILE, --clear, or at least one of --requests-per-minute, --tokens-per-minute, --daily-usd, --monthly-usd, --lifetime-usd");
    }
}
