using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Anomalies;

/// <summary><c>anomalies reinstate CREDENTIAL --note N</c>: a suspended or narrowed credential back to normal.</summary>
public static class AnomaliesReinstateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("credential") { Description = "Credential id" };
        var note = new Option<string>("--note") { Description = "Why it is safe again (recorded in the audit log)", Required = true };
        var command = new Command("reinstate", """
            Reinstate a suspended (or narrowed) credential and resolve its anomalies

            Examples:
              brokerctl anomalies reinstate 7f1c2a9e-... --note "false alarm: shared CI identity fixed"
            """) { id, note };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
            RunAsync(
                new AnomalyService.AnomalyServiceClient(ctx.CreateInvoker()),
                new ReinstateCredentialRequest { CredentialId = parse.GetRequiredValue(id), Note = parse.GetRequiredValue(note) },
                ctx.Out, ctx.Format, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        AnomalyService.AnomalyServiceClient client, ReinstateCredentialRequest request, TextWriter stdout, OutputFormat format, CancellationToken cancellationToken)
    {
        var response = await client.ReinstateCredentialAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, response);
        }
        else
        {
            stdout.WriteLine($"Reinstated {response.Credential.Prefix} ({response.Credential.Id}): {Display.Status(response.Credential.Status)}; {response.ResolvedAnomalies} anomalies resolved");
        }

        return ExitCodes.Ok;
    }
}
