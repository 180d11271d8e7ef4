using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Approvals;

/// <summary><c>approvals deny ID --note N</c>: denies a request (security role, not the requester).</summary>
public static class ApprovalsDenyCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Approval id" };
        var note = new Option<string>("--note") { Description = "The reviewer's note (recorded in the audit log)", Required = true };
        var command = new Command("deny", """
            Deny a pending request, or withdraw an approval at once (security role; not the requester)

            Examples:
              brokerctl approvals deny 0193... --note "use the read-only tool instead"
            """) { id, note };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
            RunAsync(
                new ApprovalService.ApprovalServiceClient(ctx.CreateInvoker()),
                new DenyToolUseRequest { Id = parse.GetRequiredValue(id), Note = parse.GetRequiredValue(note) },
                ctx.Out, ctx.Format, ctx.Environment.Time, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        ApprovalService.ApprovalServiceClient client, DenyToolUseRequest request, TextWriter stdout, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var approval = await client.DenyToolUseAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, approval);
        }
        else
        {
            stdout.WriteLine("Denied " + approval.Id + ":");
            ApprovalPrinter.WriteOne(stdout, approval, format, time);
        }

        return ExitCodes.Ok;
    }
}
