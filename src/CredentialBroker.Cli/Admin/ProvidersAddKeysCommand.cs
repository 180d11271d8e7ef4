using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>providers add-keys ID --keys-file F</c>: adds pre-created keys to an Anthropic provider's pool.</summary>
public static class ProvidersAddKeysCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Provider id" };
        var keysFile = new Option<string>("--keys-file") { Description = "YAML or JSON list of {key_id, key_secret}; keep the file out of version control and delete it afterwards", Required = true };
        var command = new Command("add-keys", """
            Add pre-created API keys to a provider's pool (Anthropic direct delivery): each is handed to one
            credential and set inactive upstream when that credential ends; a key is never reassigned

            Example:
              brokerctl providers add-keys 9a1c... --keys-file anthropic-pool.yaml

            A keys file:
              - {key_id: apikey_01AbC..., key_secret: sk-ant-api03-...}
            """)
        {
            id, keysFile,
        };
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var path = parse.GetRequiredValue(keysFile);
            var request = new AddProviderKeysRequest { ProviderId = parse.GetRequiredValue(id) };
            var entries = YamlFile.Read<List<KeyEntry?>>(path) ?? [];
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (entry?.KeyId is not { Length: > 0 } keyId || entry.KeySecret is not { Length: > 0 } secret)
                {
                    throw new UsageException($"{path}: entry {i + 1}: key_id and key_secret are required");
                }

                request.Keys.Add(new ProviderKey { KeyId = keyId, KeySecret = secret });
            }

            var response = await new AdminService.AdminServiceClient(ctx.CreateInvoker()).AddProviderKeysAsync(request, cancellationToken: ct);
            ctx.Out.WriteLine($"added {response.Added} key(s); {response.Available} available in the pool");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One entry of a keys file.</summary>
    public sealed class KeyEntry
    {
        public string? KeyId { get; set; }

        public string? KeySecret { get; set; }
    }
}
