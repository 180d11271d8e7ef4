using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Approvals;

/// <summary><c>approvals list</c>: approvals the caller may see, all pages, newest first.</summary>
public static class ApprovalsListCommand
{
    public static Command Create(CliEnvironment env)
    {
        var workload = new Option<string?>("--workload") { Description = "Only approvals of this workload id" };
        var purpose = new Option<string?>("--purpose") { Description = "Only approvals of this purpose id" };
        var status = new Option<string?>("--status") { Description = "Only approvals in this status: pending, approved, denied or expired" };
        status.AcceptOnlyFromAmong("pending", "approved", "denied", "expired");
        var command = new Command("list", """
            List approvals of high-risk tools (follows every page)

            Examples:
              brokerctl approvals list --status pending
              brokerctl approvals list --workload 3c1e... -o json
            """) { workload, purpose, status };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
            RunAsync(
                new ApprovalService.ApprovalServiceClient(ctx.CreateInvoker()),
                new ListApprovalsRequest
                {
                    WorkloadId = parse.GetValue(workload) ?? string.Empty,
                    PurposeId = parse.GetValue(purpose) ?? string.Empty,
                    Status = ParseStatus(parse.GetValue(status)),
                    PageSize = 200,
                },
                ctx.Out, ctx.Format, ctx.Environment.Time, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        ApprovalService.ApprovalServiceClient client, ListApprovalsRequest request, TextWriter stdout, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var all = await Paging.ReadAllAsync<ToolApproval>(async token =>
        {
            request.PageToken = token;
            var page = await client.ListApprovalsAsync(request, cancellationToken: cancellationToken);
            return (page.Approvals, page.NextPageToken);
        });
        ApprovalPrinter.WriteList(stdout, all, format, time);
        return ExitCodes.Ok;
    }

    private static ApprovalStatus ParseStatus(string? status) => status switch
    {
        "pending" => ApprovalStatus.Pending,
        "approved" => ApprovalStatus.Approved,
        "denied" => ApprovalStatus.Denied,
        "expired" => ApprovalStatus.Expired,
        _ => ApprovalStatus.Unspecified,
    };
}
