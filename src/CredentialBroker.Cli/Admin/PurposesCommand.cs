using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>purposes create|update|show|list|retire</c>. Create takes flags, a YAML/JSON file (-f), or both (flags win).</summary>
public static class PurposesCommand
{
    public static Command Create(CliEnvironment env)
    {
        var file = new Option<string?>("--file", "-f") { Description = "YAML or JSON file with CreatePurposeRequest fields in snake_case, and an optional gateway section" };
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
            Printer.One(ctx, purpose, PurposePrinter.Headers, PurposePrinter.Row);
            return ExitCodes.Ok;
        });

        var update = PurposesUpdateCommand.Create(env);

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
            Printer.Many(ctx, purposes, PurposePrinter.Headers, PurposePrinter.Row);
            return ExitCodes.Ok;
        });

        return new Command("purposes", """
            Manage purposes and their policy

            Examples:
              brokerctl purposes create -f purpose.yaml
              brokerctl purposes update <purpose-id> --max-ttl 30m --model gpt-4o-mini
              brokerctl purposes update <purpose-id> -f gateway.yaml
              brokerctl purposes show <purpose-id>
              brokerctl purposes list --owner 3b0e...
              brokerctl purposes retire <purpose-id> --reason "project ended"

            A purpose file may carry a gateway section (what the gateway enforces on every call). For update, a file
            gives only the fields to change, without name and owner_id; its gateway section replaces the whole policy.
              gateway:
                allowed_endpoints: [chat.completions, messages]
                max_output_tokens: 4096
                max_call_depth: 1
                require_sender_binding: true
                unpriced: cap               # refuse (default) or cap
                unpriced_cap_usd: 0.05      # charged per call to a model without a price
                credential_limits:          # each credential on its own
                  requests_per_minute: 60
                  tokens_per_minute: 100000
                  budgets: [{window: day, max_usd: 10, max_tokens: 1000000, alert_percent: 80}]
                purpose_limits:             # all credentials of the purpose together
                  budgets: [{window: month, max_usd: 500}]
            """) { create, update, PurposesShowCommand.Create(env), list, PurposesRetireCommand.Create(env) };
    }
}
