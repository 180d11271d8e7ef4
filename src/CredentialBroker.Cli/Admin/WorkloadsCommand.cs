using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>workloads register|list|deregister</c>.</summary>
public static class WorkloadsCommand
{
    public static readonly string[] Headers = ["ID", "IDENTITY", "OWNER", "STATE", "DESCRIPTION", "CREATED"];

    public static Command Create(CliEnvironment env)
    {
        var identity = new Option<string>("--identity") { Description = "Identity the workload authenticates as (SPIFFE ID, subject)", Required = true };
        var owner = new Option<string>("--owner") { Description = "Owning owner id", Required = true };
        var description = new Option<string?>("--description") { Description = "What the workload is" };
        var register = new Command("register", "Register a workload identity") { identity, owner, description };
        CommandAction.Set(register, env, async (ctx, parse, ct) =>
        {
            var workload = await Client(ctx).RegisterWorkloadAsync(new RegisterWorkloadRequest
            {
                Identity = parse.GetRequiredValue(identity),
                OwnerId = parse.GetRequiredValue(owner),
                Description = parse.GetValue(description) ?? string.Empty,
            }, cancellationToken: ct);
            Printer.One(ctx, workload, Headers, Row);
            return ExitCodes.Ok;
        });

        var ownerFilter = new Option<string?>("--owner") { Description = "Only workloads of this owner id" };
        var list = new Command("list", "List workloads") { ownerFilter };
        CommandAction.Set(list, env, async (ctx, parse, ct) =>
        {
            var client = Client(ctx);
            var workloads = await Paging.ReadAllAsync<Workload>(async token =>
            {
                var page = await client.ListWorkloadsAsync(new ListWorkloadsRequest { PageSize = 500, PageToken = token, OwnerId = parse.GetValue(ownerFilter) ?? string.Empty }, cancellationToken: ct);
                return (page.Workloads, page.NextPageToken);
            });
            Printer.Many(ctx, workloads, Headers, Row);
            return ExitCodes.Ok;
        });

        return new Command("workloads", """
            Manage workload identities

            Examples:
              brokerctl workloads register --identity spiffe://example.org/agent --owner 3b0e...
              brokerctl workloads list --owner 3b0e...
              brokerctl workloads deregister 7c1d... --reason "service decommissioned"
            """) { register, list, WorkloadsDeregisterCommand.Create(env) };
    }

    private static AdminService.AdminServiceClient Client(CliContext ctx) => new(ctx.CreateInvoker());

    public static string?[] Row(Workload w) =>
        [w.Id, w.Identity, w.OwnerId, w.DeregisteredAt is null ? "registered" : "deregistered " + Display.Absolute(w.DeregisteredAt), w.Description, Display.Absolute(w.CreatedAt)];
}
