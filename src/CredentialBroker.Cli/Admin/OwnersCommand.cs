using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>owners create|limits|deactivate|list|sync</c>.</summary>
public static class OwnersCommand
{
    public static Command Create(CliEnvironment env)
    {
        var name = new Option<string>("--name") { Description = "Unique owner name", Required = true };
        var email = new Option<string>("--email") { Description = "Contact email", Required = true };
        var limits = new LimitFlags();
        var create = new Command("create", "Create an owner, optionally with limits over all its credentials") { name, email };
        foreach (var option in limits.All)
        {
            create.Options.Add(option);
        }

        CommandAction.Set(create, env, async (ctx, parse, ct) =>
        {
            var request = new CreateOwnerRequest { Name = parse.GetRequiredValue(name), Email = parse.GetRequiredValue(email), Limits = limits.ToLimits(parse) };
            var owner = await Client(ctx).CreateOwnerAsync(request, cancellationToken: ct);
            Printer.One(ctx, owner, Headers, Row);
            return ExitCodes.Ok;
        });

        var id = new Argument<string>("id") { Description = "Owner id" };
        var reason = new Option<string>("--reason") { Description = "Why (audit log)", Required = true };
        var deactivate = new Command("deactivate", "Deactivate an owner and revoke its credentials") { id, reason };
        CommandAction.Set(deactivate, env, async (ctx, parse, ct) =>
        {
            var owner = await Client(ctx).DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = parse.GetRequiredValue(id), Reason = parse.GetRequiredValue(reason) }, cancellationToken: ct);
            Printer.One(ctx, owner, Headers, Row);
            return ExitCodes.Ok;
        });

        var includeInactive = new Option<bool>("--include-inactive") { Description = "Include deactivated owners" };
        var list = new Command("list", "List owners") { includeInactive };
        CommandAction.Set(list, env, (ctx, parse, ct) => ListAsync(Client(ctx), parse.GetValue(includeInactive), ctx, ct));

        return new Command("owners", """
            Manage owners

            Examples:
              brokerctl owners create --name team-search --email search@example.com
              brokerctl owners create --name team-ml --email ml@example.com --monthly-usd 2000 --alert-percent 80
              brokerctl owners limits 3b0e... --requests-per-minute 600 --daily-usd 100
              brokerctl owners list
              brokerctl owners sync --file owners.csv --dry-run
            """) { create, OwnersLimitsCommand.Create(env), deactivate, list, OwnersSyncCommand.Create(env) };
    }

    public static async Task<int> ListAsync(AdminService.AdminServiceClient client, bool includeInactive, CliContext ctx, CancellationToken cancellationToken)
    {
        var owners = await Paging.ReadAllAsync<Owner>(async token =>
        {
            var page = await client.ListOwnersAsync(new ListOwnersRequest { PageSize = 500, PageToken = token, IncludeInactive = includeInactive }, cancellationToken: cancellationToken);
            return (page.Owners, page.NextPageToken);
        });
        Printer.Many(ctx, owners, Headers, Row);
        return ExitCodes.Ok;
    }

    private static AdminService.AdminServiceClient Client(CliContext ctx) => new(ctx.CreateInvoker());

    public static readonly string[] Headers = ["ID", "NAME", "EMAIL", "ACTIVE", "DIRECTORY", "CREATED", "LIMITS"];

    public static string?[] Row(Owner o) =>
        [o.Id, o.Name, o.Email, o.Active ? "yes" : "no", Directory(o), Display.Absolute(o.CreatedAt), GatewaySummary.Limits(o.Limits)];

    private static string Directory(Owner o) =>
        !o.DirectoryManaged ? "-" : o.MissingSince is null ? "listed" : "missing since " + Display.Absolute(o.MissingSince);
}
