using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>providers register|update|list</c>. The root key is read from an environment variable, never from argv.</summary>
public static class ProvidersCommand
{
    public static readonly string[] Headers = ["ID", "NAME", "KIND", "BASE URL", "ROOT KEY", "PRICES", "CREATED"];

    public static Command Create(CliEnvironment env)
    {
        var name = new Option<string>("--name") { Description = "Unique provider name", Required = true };
        var kind = new Option<string>("--kind") { Description = "openai, anthropic, openai_compatible or azure_openai", Required = true };
        var baseUrl = new Option<string>("--base-url") { Description = "Base URL of the upstream API", Required = true };
        var rootKeyEnv = new Option<string?>("--root-key-env") { Description = "Name of an environment variable holding the provider's root key" };
        var pricesFile = new Option<string?>("--prices-file") { Description = "YAML or JSON price table: a list of {model, input_usd_per_million, cached_input_usd_per_million, output_usd_per_million, max_output_tokens}" };
        var keys = new ProviderKeyOptions();
        var register = new Command("register", "Register an upstream provider") { name, kind, baseUrl, rootKeyEnv, pricesFile };
        keys.AddTo(register);
        CommandAction.Set(register, env, async (ctx, parse, ct) =>
        {
            var request = new RegisterProviderRequest { Name = parse.GetRequiredValue(name), Kind = parse.GetRequiredValue(kind), BaseUrl = parse.GetRequiredValue(baseUrl) };
            if (parse.GetValue(rootKeyEnv) is { } variable)
            {
                request.RootKey = ReadRootKey(env, variable);
            }

            if (parse.GetValue(pricesFile) is { } path)
            {
                request.Prices.AddRange(PricesFile.Load(path));
            }

            keys.Apply(env, parse, request);
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
              OPENAI_ROOT_KEY=sk-... brokerctl providers register --name openai-prod --kind openai --base-url https://api.openai.com --root-key-env OPENAI_ROOT_KEY --prices-file prices.yaml
              NEW_KEY=sk-... brokerctl providers update 4d7e... --root-key-env NEW_KEY
              brokerctl providers update 4d7e... --prices-file prices.yaml
              brokerctl providers register --name openai-vault --kind openai --base-url https://api.openai.com --root-key-ref vault:secret/ai/openai#api_key
              OPENAI_ADMIN_KEY=sk-admin-... brokerctl providers update 4d7e... --admin-key-env OPENAI_ADMIN_KEY --project-id proj_abc
              brokerctl providers add-keys 9a1c... --keys-file anthropic-pool.yaml
              brokerctl providers shadow-keys
              brokerctl providers list

            A prices file (USD per million tokens; max_output_tokens is the model's own output limit):
              - {model: gpt-4o-mini, input_usd_per_million: 0.15, cached_input_usd_per_million: 0.075, output_usd_per_million: 0.60, max_output_tokens: 16384}
              - {model: "gpt-4.1*", input_usd_per_million: 2, output_usd_per_million: 8, max_output_tokens: 32768}
            """) { register, ProvidersUpdateCommand.Create(env), list, ProvidersAddKeysCommand.Create(env), ProvidersShadowKeysCommand.Create(env) };
    }

    private static AdminService.AdminServiceClient Client(CliContext ctx) => new(ctx.CreateInvoker());

    public static string?[] Row(Provider p) => [p.Id, p.Name, p.Kind, p.BaseUrl, p.RootKeyRef.Length > 0 ? p.RootKeyRef : p.HasRootKey ? "stored" : "none", GatewaySummary.Prices(p.Prices), Display.Absolute(p.CreatedAt)];

    /// <summary>The root key from the environment variable named by --root-key-env; argv would leak it to ps and shell history.</summary>
    public static string ReadRootKey(CliEnvironment env, string variable) =>
        env.GetVariable(variable) is { Length: > 0 } key
            ? key
            : throw new UsageException($"--root-key-env: environment variable {variable} is not set");
}
