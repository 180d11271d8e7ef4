using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Approvals;

/// <summary><c>approvals approve ID --note N</c>: approves a request (security role, not the requester).</summary>
public static class ApprovalsApproveCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Approval id" };
        var note = new Option<string>("--note") { Description = "The reviewer's note (recorded in the audit log)", Required = true };
        var command = new Command("approve", """
            Approve a pending request (security role; not the requester)

            Examples:
              brokerctl approvals approve 0193... --note "reviewed the agent's sandbox"
            """) { id, note };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
            RunAsync(
                new ApprovalService.ApprovalServiceClient(ctx.CreateInvoker()),
                new ApproveToolUseRequest { Id = parse.GetRequiredValue(id), Note = parse.GetRequiredValue(note) },
                ctx.Out, ctx.Format, ctx.Environment.Time, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        ApprovalService.ApprovalServiceClient client, ApproveToolUseRequest request, TextWriter stdout, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var approval = await client.ApproveToolUseAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, approval);
        }
        else
        {
            stdout.WriteLine("Approved " + approval.Id + ":");
            ApprovalPrinter.WriteOne(stdout, approval, format, time);
        }

        return ExitCodes.Ok;
    }
}
