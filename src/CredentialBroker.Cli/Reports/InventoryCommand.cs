using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Reports;

/// <summary><c>inventory</c>: live credentials grouped by owner, purpose, provider and risk tier.</summary>
public static class InventoryCommand
{
    public static Command Create(CliEnvironment env)
    {
        var by = new Option<string[]>("--by")
        {
            Description = "Group by these, comma-separated: owner, purpose, provider, risk_tier (default all four)",
            AllowMultipleArgumentsPerToken = true,
        };
        var window = new Option<TimeSpan?>("--spend-window") { Description = "Requests and spend over this long up to now (default 30d)", CustomParser = DurationParser.ParseArgument };
        var command = new Command("inventory", """
            Count live credentials by owner, purpose, provider and risk tier, with TTLs, last use and spend

            Live means active, unexpired and not covered by a mass revocation. Needs the security or admin role.

            Examples:
              brokerctl inventory
              brokerctl inventory --by owner,risk_tier --spend-window 7d
              brokerctl inventory -o csv > inventory.csv
            """)
        {
            by, window,
        };
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var request = new GetInventoryRequest { GroupBy = { ParseDimensions(parse.GetValue(by)) } };
            if (parse.GetValue(window) is { } w)
            {
                request.SpendWindow = Duration.FromTimeSpan(w);
            }

            var response = await new ReportService.ReportServiceClient(ctx.CreateInvoker()).GetInventoryAsync(request, cancellationToken: ct);
            InventoryPrinter.Write(ctx.Out, response, ctx.Format, env.Time);
            return ExitCodes.Ok;
        }, csv: true);
        return command;
    }

    /// <summary>Splits and checks <c>--by</c> values; a usage error names an unknown one.</summary>
    public static IReadOnlyList<string> ParseDimensions(string[]? values)
    {
        var dimensions = (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var unknown = dimensions.FirstOrDefault(d => d is not ("owner" or "purpose" or "provider" or "risk_tier"));
        return unknown is null
            ? dimensions.Distinct().ToList()
            : throw new UsageException($"--by: unknown dimension '{unknown}'; use owner, purpose, provider or risk_tier");
    }
}
