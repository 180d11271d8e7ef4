using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>purposes create|list</c>. Create takes flags, a YAML/JSON file (-f), or both (flags win).</summary>
public static class PurposesCommand
{
    private static readonly string[] Headers = ["ID", "NAME", "OWNER", "TIER", "DEFAULT TTL", "MAX TTL", "MAX LIFETIME", "PROVIDERS", "MODELS"];

    public static Command Create(CliEnvironment env)
    {
        var file = new Option<string?>("--file", "-f") { Description = "YAML or JSON file with CreatePurposeRequest fields in snake_case" };
        var name = new Option<string?>("--name") { Description = "Unique purpose name" };
        var description = new Option<string?>("--description") { Description = "What the credentials are for" };
        var owner = new Option<string?>("--owner") { Description = "Accountable owner id" };
        var tier = new Option<string?>("--risk-tier") { Description = "sandbox, internal or customer-facing" };
        var defaultTtl = new Option<TimeSpan?>("--default-ttl") { Description = "TTL when a request names none (e.g. 15m)", CustomParser = DurationParser.ParseArgument };
        var maxTtl = new Option<TimeSpan?>("--max-ttl") { Description = "Longest TTL of one issue or renewal (e.g. 1h)", CustomParser = DurationParser.ParseArgument };
        var maxLifetime = new Option<TimeSpan?>("--max-lifetime") { Description = "Cap on a credential's whole life (e.g. 7d)", CustomParser = DurationParser.ParseArgument };
        var providers = new Option<string[]>("--provider") { Description = "Allowed provider name (repeatable)" };
        var models = new Option<string[]>("--model") { Description = "Allowed model or prefix* (repeatable)" };
        var create = new Command("create", "Create a purpose and its policy")
        {
            file, name, description, owner, tier, defaultTtl, maxTtl, maxLifetime, providers, models,
        };
        CommandAction.Set(create, env, async (ctx, parse, ct) =>
        {
            var request = parse.GetValue(file) is { } path ? PurposeFile.Load(path) : new CreatePurposeRequest();
            request.Name = parse.GetValue(name) ?? request.Name;
            request.Description = parse.GetValue(description) ?? request.Description;
            request.OwnerId = parse.GetValue(owner) ?? request.OwnerId;
            if (parse.GetValue(tier) is { } t)
            {
                request.RiskTier = PurposeFile.ParseTier(t);
            }

            request.DefaultTtl = parse.GetValue(defaultTtl) is { } d ? Duration.FromTimeSpan(d) : request.DefaultTtl;
            request.MaxTtl = parse.GetValue(maxTtl) is { } m ? Duration.FromTimeSpan(m) : request.MaxTtl;
            request.MaxLifetime = parse.GetValue(maxLifetime) is { } l ? Duration.FromTimeSpan(l) : request.MaxLifetime;
            if (parse.GetValue(providers) is { Length: > 0 } p)
            {
                request.AllowedProviders.Clear();
                request.AllowedProviders.AddRange(p);
            }

            if (parse.GetValue(models) is { Length: > 0 } ms)
            {
                request.AllowedModels.Clear();
                request.AllowedModels.AddRange(ms);
            }

            var purpose = await new AdminService.AdminServiceClient(ctx.CreateInvoker()).CreatePurposeAsync(request, cancellationToken: ct);
            Printer.One(ctx, purpose, Headers, Row);
            return ExitCodes.Ok;
        });

        var update = CreateUpdate(env);

        var ownerFilter = new Option<string?>("--owner") { Description = "Only purposes of this owner id" };
        var list = new Command("list", "List purposes") { ownerFilter };
        CommandAction.Set(list, env, async (ctx, parse, ct) =>
        {
            var client = new AdminService.AdminServiceClient(ctx.CreateInvoker());
            var purposes = await Paging.ReadAllAsync<Purpose>(async token =>
            {
                var page = await client.ListPurposesAsync(new ListPurposesRequest { PageSize = 500, PageToken = token, OwnerId = parse.GetValue(ownerFilter) ?? string.Empty }, cancellationToken: ct);
                return (page.Purposes, page.NextPageToken);
            });
            Printer.Many(ctx, purposes, Headers, Row);
            return ExitCodes.Ok;
        });

        return new Command("purposes", """
            Manage purposes and their policy

            Examples:
              brokerctl purposes create -f purpose.yaml
              brokerctl purposes update <purpose-id> --max-ttl 30m --model gpt-4o-mini
              brokerctl purposes list --owner 3b0e...
            """) { create, update, list };
    }

    /// <summary><c>purposes update ID</c>: changes only the fields given as flags (sent as the update mask).</summary>
    private static Command CreateUpdate(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Purpose id" };
        var description = new Option<string?>("--description") { Description = "New description" };
        var tier = new Option<string?>("--risk-tier") { Description = "sandbox, internal or customer-facing" };
        var defaultTtl = new Option<TimeSpan?>("--default-ttl") { Description = "New default TTL (e.g. 15m)", CustomParser = DurationParser.ParseArgument };
        var maxTtl = new Option<TimeSpan?>("--max-ttl") { Description = "New max TTL (e.g. 1h)", CustomParser = DurationParser.ParseArgument };
        var maxLifetime = new Option<TimeSpan?>("--max-lifetime") { Description = "New max lifetime (e.g. 7d)", CustomParser = DurationParser.ParseArgument };
        var providers = new Option<string[]>("--provider") { Description = "Allowed provider name (repeatable; replaces the list)" };
        var models = new Option<string[]>("--model") { Description = "Allowed model or prefix* (repeatable; replaces the list)" };
        var update = new Command("update", "Change fields of a purpose; only the flags given change")
        {
            id, description, tier, defaultTtl, maxTtl, maxLifetime, providers, models,
        };
        CommandAction.Set(update, env, async (ctx, parse, ct) =>
        {
            var request = new UpdatePurposeRequest { Id = parse.GetRequiredValue(id), UpdateMask = new FieldMask() };
            void Change(string path) => request.UpdateMask.Paths.Add(path);
            if (parse.GetValue(description) is { } d)
            {
                request.Description = d;
                Change("description");
            }

            if (parse.GetValue(tier) is { } t)
            {
                request.RiskTier = PurposeFile.ParseTier(t);
                Change("risk_tier");
            }

            if (parse.GetValue(defaultTtl) is { } dt)
            {
                request.DefaultTtl = Duration.FromTimeSpan(dt);
                Change("default_ttl");
            }

            if (parse.GetValue(maxTtl) is { } mt)
            {
                request.MaxTtl = Duration.FromTimeSpan(mt);
                Change("max_ttl");
            }

            if (parse.GetValue(maxLifetime) is { } ml)
            {
                request.MaxLifetime = Duration.FromTimeSpan(ml);
                Change("max_lifetime");
            }

            if (parse.GetValue(providers) is { Length: > 0 } p)
            {
                request.AllowedProviders.AddRange(p);
                Change("allowed_providers");
            }

            if (parse.GetValue(models) is { Length: > 0 } m)
            {
                request.AllowedModels.AddRange(m);
                Change("allowed_models");
            }

            if (request.UpdateMask.Paths.Count == 0)
            {
                throw new UsageException("Nothing to update: give at least one of --description, --risk-tier, --default-ttl, --max-ttl, --max-lifetime, --provider, --model.");
            }

            var purpose = await new AdminService.AdminServiceClient(ctx.CreateInvoker()).UpdatePurposeAsync(request, cancellationToken: ct);
            Printer.One(ctx, purpose, Headers, Row);
            return ExitCodes.Ok;
        });
        return update;
    }

    private static string?[] Row(Purpose p) =>
    [
        p.Id, p.Name, p.OwnerId, Display.Tier(p.RiskTier), Display.Span(p.DefaultTtl), Display.Span(p.MaxTtl), Display.Span(p.MaxLifetime),
        string.Join(",", p.AllowedProviders), p.AllowedModels.Count == 0 ? "*" : string.Join(",", p.AllowedModels),
    ];
}
