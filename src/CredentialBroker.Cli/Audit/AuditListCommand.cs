using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Audit;

/// <summary><c>audit list</c>: one page of audit events, newest first.</summary>
public static class AuditListCommand
{
    public static Command Create(CliEnvironment env)
    {
        var action = new Option<string?>("--action") { Description = "Only events with this action, e.g. credential.issued" };
        var target = new Option<string?>("--target") { Description = "Only events about this target id" };
        var pageSize = new Option<int>("--page-size") { Description = "Events to show (1-500)", DefaultValueFactory = _ => 50 };
        var pageToken = new Option<string?>("--page-token") { Description = "Continue from a previous listing" };
        var command = new Command("list", """
            List audit events, newest first

            Examples:
              brokerctl audit list --page-size 20
              brokerctl audit list --target 7f1c2a9e-... -o json
            """) { action, target, pageSize, pageToken };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
        {
            var request = new ListAuditEventsRequest
            {
                Action = parse.GetValue(action) ?? string.Empty,
                TargetId = parse.GetValue(target) ?? string.Empty,
                PageSize = parse.GetValue(pageSize),
                PageToken = parse.GetValue(pageToken) ?? string.Empty,
            };
            return RunAsync(new AuditService.AuditServiceClient(ctx.CreateInvoker()), request, ctx.Out, ctx.Error, ctx.Format, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(
        AuditService.AuditServiceClient client, ListAuditEventsRequest request, TextWriter stdout, TextWriter stderr, OutputFormat format, CancellationToken cancellationToken)
    {
        var page = await client.ListAuditEventsAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, page);
            return ExitCodes.Ok;
        }

        var table = new Table("SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "REASON");
        foreach (var e in page.Events)
        {
            table.Add(e.Seq == 0 ? "-" : e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), Display.Absolute(e.Time), e.Actor, e.Action,
                string.IsNullOrEmpty(e.TargetId) ? e.TargetType : $"{e.TargetType}:{e.TargetId}", e.Outcome, e.Reason);
        }

        table.Write(stdout);
        if (!string.IsNullOrEmpty(page.NextPageToken))
        {
            stderr.WriteLine($"more: --page-token {page.NextPageToken}");
        }

        return ExitCodes.Ok;
    }
}
