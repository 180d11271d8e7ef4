using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Anomalies;

/// <summary><c>anomalies ack ID --note N [--resolve]</c>: marks an anomaly as seen, or resolved.</summary>
public static class AnomaliesAckCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Anomaly id" };
        var note = new Option<string?>("--note") { Description = "What was found or done (recorded with the anomaly and in the audit log)" };
        var resolve = new Option<bool>("--resolve") { Description = "Also mark it resolved: the same kind of incident on the credential becomes a new anomaly" };
        var command = new Command("ack", """
            Acknowledge an anomaly (optionally resolve it)

            Examples:
              brokerctl anomalies ack 0193c2a9-... --note "owner confirmed a load test"
              brokerctl anomalies ack 0193c2a9-... --note "fixed the retry loop" --resolve
            """) { id, note, resolve };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
            RunAsync(
                new AnomalyService.AnomalyServiceClient(ctx.CreateInvoker()),
                new AcknowledgeAnomalyRequest { Id = parse.GetRequiredValue(id), Note = parse.GetValue(note) ?? string.Empty, Resolve = parse.GetValue(resolve) },
                ctx.Out, ctx.Format, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        AnomalyService.AnomalyServiceClient client, AcknowledgeAnomalyRequest request, TextWriter stdout, OutputFormat format, CancellationToken cancellationToken)
    {
        var response = await client.AcknowledgeAnomalyAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, response.Anomaly);
        }
        else
        {
            stdout.WriteLine($"Anomaly {response.Anomaly.Id} ({AnomalyNames.Kind(response.Anomaly.Kind)}) is now {AnomalyNames.Status(response.Anomaly.Status)}");
        }

        return ExitCodes.Ok;
    }
}
