using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Credentials;

/// <summary><c>creds renew ID [--ttl]</c>: extends a credential's expiry.</summary>
public static class CredsRenewCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Credential id" };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "New lifetime from now (90s, 15m, 24h, 7d); default: the purpose's", CustomParser = DurationParser.ParseArgument };
        var command = new Command("renew", "Extend a credential's expiry") { id, ttl };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
        {
            var request = new RenewCredentialRequest { Id = parse.GetRequiredValue(id) };
            if (parse.GetValue(ttl) is { } value)
            {
                request.Ttl = Duration.FromTimeSpan(value);
            }

            return RunAsync(new CredentialService.CredentialServiceClient(ctx.CreateInvoker()), request, ctx.Out, ctx.Format, ctx.Environment.Time, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(
        CredentialService.CredentialServiceClient client, RenewCredentialRequest request, TextWriter stdout, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var response = await client.RenewCredentialAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, response.Credential);
        }
        else
        {
            stdout.WriteLine($"Renewed {response.Credential.Prefix} ({response.Credential.Id}): expires {Display.When(response.Credential.ExpiresAt, time)}");
        }

        return ExitCodes.Ok;
    }
}
