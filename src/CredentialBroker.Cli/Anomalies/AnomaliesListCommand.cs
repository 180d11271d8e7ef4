using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Anomalies;

/// <summary><c>anomalies list</c>: anomalies, newest first, all pages.</summary>
public static class AnomaliesListCommand
{
    public static Command Create(CliEnvironment env)
    {
        var status = new Option<string?>("--status") { Description = "Only anomalies in this status: open, acknowledged or resolved" };
        status.AcceptOnlyFromAmong(AnomalyNames.Statuses);
        var kind = new Option<string?>("--kind") { Description = "Only anomalies of this kind: spike, ceiling, identity_mismatch, loop or fan_out" };
        kind.AcceptOnlyFromAmong(AnomalyNames.Kinds);
        var credential = new Option<string?>("--credential") { Description = "Only anomalies of this credential id" };
        var command = new Command("list", """
            List anomalies, newest first (follows every page)

            Examples:
              brokerctl anomalies list --status open
              brokerctl anomalies list --kind identity_mismatch -o json
              brokerctl anomalies list --credential 7f1c2a9e-...
            """) { status, kind, credential };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
            RunAsync(
                new AnomalyService.AnomalyServiceClient(ctx.CreateInvoker()),
                new ListAnomaliesRequest
                {
                    Status = AnomalyNames.ParseStatus(parse.GetValue(status)),
                    Kind = AnomalyNames.ParseKind(parse.GetValue(kind)),
                    CredentialId = parse.GetValue(credential) ?? string.Empty,
                    PageSize = 200,
                },
                ctx.Out, ctx.Format, ctx.Environment.Time, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        AnomalyService.AnomalyServiceClient client, ListAnomaliesRequest request, TextWriter stdout, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var all = await Paging.ReadAllAsync<Anomaly>(async token =>
        {
            request.PageToken = token;
            var page = await client.ListAnomaliesAsync(request, cancellationToken: cancellationToken);
            return (page.Anomalies, page.NextPageToken);
        });
        AnomalyPrinter.WriteList(stdout, all, format, time);
        return ExitCodes.Ok;
    }
}
