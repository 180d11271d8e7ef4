using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Credentials;

/// <summary><c>creds revoke ID --reason R</c>: revokes one credential.</summary>
public static class CredsRevokeCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Credential id" };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the audit log)", Required = true };
        var command = new Command("revoke", """
            Revoke one credential

            Examples:
              brokerctl creds revoke 7f1c2a9e-... --reason "leaked in logs"
            """) { id, reason };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
            RunAsync(
                new CredentialService.CredentialServiceClient(ctx.CreateInvoker()),
                new RevokeCredentialRequest { Id = parse.GetRequiredValue(id), Reason = parse.GetRequiredValue(reason) },
                ctx.Out, ctx.Format, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        CredentialService.CredentialServiceClient client, RevokeCredentialRequest request, TextWriter stdout, OutputFormat format, CancellationToken cancellationToken)
    {
        var response = await client.RevokeCredentialAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, response.Credential);
        }
        else
        {
            stdout.WriteLine($"Revoked {response.Credential.Prefix} ({response.Credential.Id})");
        }

        return ExitCodes.Ok;
    }
}
