using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Credentials;

/// <summary><c>creds show ID</c>: one credential's metadata (never its secret).</summary>
public static class CredsShowCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Credential id" };
        var command = new Command("show", """
            Show one credential

            Examples:
              brokerctl creds show 7f1c2a9e-...
              brokerctl creds show 7f1c2a9e-... -o json
            """) { id };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
            RunAsync(new CredentialService.CredentialServiceClient(ctx.CreateInvoker()), parse.GetRequiredValue(id), ctx.Out, ctx.Format, ctx.Environment.Time, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        CredentialService.CredentialServiceClient client, string id, TextWriter stdout, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var response = await client.GetCredentialAsync(new GetCredentialRequest { Id = id }, cancellationToken: cancellationToken);
        CredentialPrinter.WriteOne(stdout, response.Credential, format, time);
        return ExitCodes.Ok;
    }
}
