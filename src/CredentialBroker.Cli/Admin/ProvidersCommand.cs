using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>providers register|list</c>. The root key is read from an environment variable, never from argv.</summary>
public static class ProvidersCommand
{
    private static readonly string[] Headers = ["ID", "NAME", "KIND", "BASE URL", "ROOT KEY", "CREATED"];

    public static Command Create(CliEnvironment env)
    {
        var name = new Option<string>("--name") { Description = "Unique provider name", Required = true };
        var kind = new Option<string>("--kind") { Description = "openai, anthropic, openai_compatible or azure_openai", Required = true };
        var baseUrl = new Option<string>("--base-url") { Description = "Base URL of the upstream API", Required = true };
        var rootKeyEnv = new Option<string?>("--root-key-env") { Description = "Name of an environment variable holding the provider's root key" };
        var register = new Command("register", "Register an upstream provider") { name, kind, baseUrl, rootKeyEnv };
        CommandAction.Set(register, env, async (ctx, parse, ct) =>
        {
            var request = new RegisterProviderRequest { Name = parse.GetRequiredValue(name), Kind = parse.GetRequiredValue(kind), BaseUrl = parse.GetRequiredValue(baseUrl) };
            if (parse.GetValue(rootKeyEnv) is { } variable)
            {
                request.RootKey = env.GetVariable(variable) is { Length: > 0 } key
                    ? key
                    : throw new UsageException($"--root-key-env: environment variable {variable} is not set");
            }

            var provider = await Client(ctx).RegisterProviderAsync(request, cancellationToken: ct);
            Printer.One(ctx, provider, Headers, Row);
            return ExitCodes.Ok;
        });

        var list = new Command("list", "List providers");
        CommandAction.Set(list, env, async (ctx, _, ct) =>
        {
            var client = Client(ctx);
            var providers = await Paging.ReadAllAsync<Provider>(async token =>
            {
                var page = await client.ListProvidersAsync(new ListProvidersRequest { PageSize = 500, PageToken = token }, cancellationToken: ct);
                return (page.Providers, page.NextPageToken);
            });
            Printer.Many(ctx, providers, Headers, Row);
            return ExitCodes.Ok;
        });

        return new Command("providers", """
            Manage upstream providers

            Examples:
              OPENAI_ROOT_KEY=sk-... brokerctl providers register --name openai-prod --kind openai --base-url https://api.openai.com --root-key-env OPENAI_ROOT_KEY
              brokerctl providers list
            """) { register, list };
    }

    private static AdminService.AdminServiceClient Client(CliContext ctx) => new(ctx.CreateInvoker());

    private static string?[] Row(Provider p) => [p.Id, p.Name, p.Kind, p.BaseUrl, p.HasRootKey ? "stored" : "none", Display.Absolute(p.CreatedAt)];
}
