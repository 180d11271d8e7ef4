using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>grants add|list</c>.</summary>
public static class GrantsCommand
{
    private static readonly string[] Headers = ["ID", "WORKLOAD", "PURPOSE", "CREATED"];

    public static Command Create(CliEnvironment env)
    {
        var workload = new Option<string>("--workload") { Description = "Workload id", Required = true };
        var purpose = new Option<string>("--purpose") { Description = "Purpose id", Required = true };
        var add = new Command("add", "Allow a workload to request credentials for a purpose") { workload, purpose };
        CommandAction.Set(add, env, async (ctx, parse, ct) =>
        {
            var grant = await Client(ctx).GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = parse.GetRequiredValue(workload), PurposeId = parse.GetRequiredValue(purpose) }, cancellationToken: ct);
            Printer.One(ctx, grant, Headers, Row);
            return ExitCodes.Ok;
        });

        var workloadFilter = new Option<string?>("--workload") { Description = "Only grants of this workload id" };
        var purposeFilter = new Option<string?>("--purpose") { Description = "Only grants of this purpose id" };
        var list = new Command("list", "List grants") { workloadFilter, purposeFilter };
        CommandAction.Set(list, env, async (ctx, parse, ct) =>
        {
            var client = Client(ctx);
            var grants = await Paging.ReadAllAsync<Grant>(async token =>
            {
                var page = await client.ListGrantsAsync(new ListGrantsRequest
                {
                    PageSize = 500,
                    PageToken = token,
                    WorkloadId = parse.GetValue(workloadFilter) ?? string.Empty,
                    PurposeId = parse.GetValue(purposeFilter) ?? string.Empty,
                }, cancellationToken: ct);
                return (page.Grants, page.NextPageToken);
            });
            Printer.Many(ctx, grants, Headers, Row);
            return ExitCodes.Ok;
        });

        return new Command("grants", """
            Manage purpose grants

            Examples:
              brokerctl grants add --workload 5c1d... --purpose 9a2f...
              brokerctl grants list --workload 5c1d...
            """) { add, list };
    }

    private static AdminService.AdminServiceClient Client(CliContext ctx) => new(ctx.CreateInvoker());

    private static string?[] Row(Grant g) => [g.Id, g.WorkloadId, g.PurposeId, Display.Absolute(g.CreatedAt)];
}
