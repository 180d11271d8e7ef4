using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>providers shadow-keys</c>: upstream accounts and keys the broker did not issue (security, admin).</summary>
public static class ProvidersShadowKeysCommand
{
    public static readonly string[] Headers = ["PROVIDER", "UPSTREAM ID", "NAME", "FIRST SEEN", "LAST SEEN"];

    public static Command Create(CliEnvironment env)
    {
        var provider = new Option<string?>("--provider") { Description = "Only this provider's (name)" };
        var command = new Command("shadow-keys", """
            List shadow keys: service accounts or API keys at a provider that the broker did not issue
            (no owner, no purpose, no expiry), found by the reconcile job

            Examples:
              brokerctl providers shadow-keys
              brokerctl providers shadow-keys --provider openai-prod -o json
            """)
        {
            provider,
        };
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var response = await new AdminService.AdminServiceClient(ctx.CreateInvoker())
                .ListShadowKeysAsync(new ListShadowKeysRequest { Provider = parse.GetValue(provider) ?? string.Empty }, cancellationToken: ct);
            Printer.Many(ctx, response.ShadowKeys, Headers, s => [s.Provider, s.UpstreamId, s.Name, Display.Absolute(s.FirstSeen), Display.Absolute(s.LastSeen)]);
            return ExitCodes.Ok;
        });
        return command;
    }
}
