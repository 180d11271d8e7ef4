using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Admin;

/// <summary>
/// <c>purposes update ID</c>: changes only the fields given, as flags or in a file (-f), sent as the update mask.
/// Flags win over the file.
/// </summary>
public static class PurposesUpdateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Purpose id" };
        var file = new Option<string?>("--file", "-f") { Description = "YAML or JSON purpose file; every field it gives changes (a gateway section replaces the whole policy)" };
        var description = new Option<string?>("--description") { Description = "New description" };
        var tier = new Option<string?>("--risk-tier") { Description = "sandbox, internal or customer-facing" };
        var defaultTtl = new Option<TimeSpan?>("--default-ttl") { Description = "New default TTL (e.g. 15m)", CustomParser = DurationParser.ParseArgument };
        var maxTtl = new Option<TimeSpan?>("--max-ttl") { Description = "New max TTL (e.g. 1h)", CustomParser = DurationParser.ParseArgument };
        var maxLifetime = new Option<TimeSpan?>("--max-lifetime") { Description = "New max lifetime (e.g. 7d)", CustomParser = DurationParser.ParseArgument };
        var providers = new Option<string[]>("--provider") { Description = "Allowed provider name (repeatable; replaces the list)" };
        var models = new Option<string[]>("--model") { Description = "Allowed model or prefix* (repeatable; replaces the list)" };
        var update = new Command("update", """
            Change fields of a purpose; only the flags given (or the fields in -f) change

            Examples:
              brokerctl purposes update 9a2f... --max-ttl 30m --model gpt-4o-mini
              brokerctl purposes update 9a2f... -f gateway.yaml
            """)
        {
            id, file, description, tier, defaultTtl, maxTtl, maxLifetime, providers, models,
        };
        CommandAction.Set(update, env, async (ctx, parse, ct) =>
        {
            var purposeId = parse.GetRequiredValue(id);
            var request = parse.GetValue(file) is { } path
                ? PurposeFile.Read(path).ToUpdateRequest(purposeId, path)
                : new UpdatePurposeRequest { Id = purposeId, UpdateMask = new FieldMask() };
            void Change(string field)
            {
                if (!request.UpdateMask.Paths.Contains(field))
                {
                    request.UpdateMask.Paths.Add(field);
                }
            }

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
                request.AllowedProviders.Clear();
                request.AllowedProviders.AddRange(p);
                Change("allowed_providers");
            }

            if (parse.GetValue(models) is { Length: > 0 } m)
            {
                request.AllowedModels.Clear();
                request.AllowedModels.AddRange(m);
                Change("allowed_models");
            }

            if (request.UpdateMask.Paths.Count == 0)
            {
                throw new UsageException("Nothing to update: give -f FILE or at least one of --description, --risk-tier, --default-ttl, --max-ttl, --max-lifetime, --provider, --model.");
            }

            var purpose = await new AdminService.AdminServiceClient(ctx.CreateInvoker()).UpdatePurposeAsync(request, cancellationToken: ct);
            Printer.One(ctx, purpose, PurposePrinter.Headers, PurposePrinter.Row);
            return ExitCodes.Ok;
        });
        return update;
    }
}
