using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>providers update ID</c>: changes the base URL, root key or price table; only the flags given change.</summary>
public static class ProvidersUpdateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Provider id" };
        var baseUrl = new Option<string?>("--base-url") { Description = "New base URL of the upstream API" };
        var rootKeyEnv = new Option<string?>("--root-key-env") { Description = "Name of an environment variable holding the new root key (rotation: new calls use it at once)" };
        var pricesFile = new Option<string?>("--prices-file") { Description = "YAML or JSON price table replacing the old one (an empty file removes all prices)" };
        var command = new Command("update", """
            Change a provider's base URL, root key, direct-delivery settings or prices; only the flags given change

            Examples:
              NEW_KEY=sk-... brokerctl providers update 4d7e... --root-key-env NEW_KEY
              brokerctl providers update 4d7e... --prices-file prices.yaml --base-url https://api.openai.com
            """)
        {
            id, baseUrl, rootKeyEnv, pricesFile,
        };
        var keys = new ProviderKeyOptions();
        keys.AddTo(command);
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var request = new UpdateProviderRequest { Id = parse.GetRequiredValue(id), UpdateMask = new FieldMask() };
            if (parse.GetValue(baseUrl) is { } url)
            {
                request.BaseUrl = url;
                request.UpdateMask.Paths.Add("base_url");
            }

            if (parse.GetValue(rootKeyEnv) is { } variable)
            {
                request.RootKey = ProvidersCommand.ReadRootKey(env, variable);
                request.UpdateMask.Paths.Add("root_key");
            }

            if (parse.GetValue(pricesFile) is { } path)
            {
                request.Prices.AddRange(PricesFile.Load(path));
                request.UpdateMask.Paths.Add("prices");
            }

            keys.Apply(env, parse, request);
            if (request.UpdateMask.Paths.Count == 0)
            {
                throw new UsageException("Nothing to update: give at least one of --base-url, --root-key-env, --root-key-ref, --admin-key-env, --admin-key-ref, --project-id, --prices-file.");
            }

            var provider = await new AdminService.AdminServiceClient(ctx.CreateInvoker()).UpdateProviderAsync(request, cancellationToken: ct);
            Printer.One(ctx, provider, ProvidersCommand.Headers, ProvidersCommand.Row);
            return ExitCodes.Ok;
        });
        return command;
    }
}
