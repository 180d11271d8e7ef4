using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Approvals;

/// <summary><c>approvals request</c>: asks for approval to use high-risk tools.</summary>
public static class ApprovalsRequestCommand
{
    public static Command Create(CliEnvironment env)
    {
        var workload = new Option<string?>("--workload") { Description = "Workload id (a workload token may leave it out: itself)" };
        var purpose = new Option<string>("--purpose") { Description = "Purpose id", Required = true };
        var tools = new Option<string[]>("--tool") { Description = "Tool name or glob pattern (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var justification = new Option<string>("--justification") { Description = "Why the tools are needed (for the reviewer)", Required = true };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "How long the approval lasts once approved (e.g. 7d; the broker clamps it)", CustomParser = DurationParser.ParseArgument };
        var command = new Command("request", """
            Request approval to use high-risk tools under a purpose

            Examples:
              brokerctl approvals request --workload 3c1e... --purpose 9a2f... --tool shell_exec --tool fs_delete --justification "cleanup agent" --ttl 7d
            """) { workload, purpose, tools, justification, ttl };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
        {
            var request = new RequestToolApprovalRequest
            {
                WorkloadId = parse.GetValue(workload) ?? string.Empty,
                PurposeId = parse.GetRequiredValue(purpose),
                Justification = parse.GetRequiredValue(justification),
                Tools = { parse.GetRequiredValue(tools) },
            };
            if (parse.GetValue(ttl) is { } t)
            {
                request.Ttl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(t);
            }

            return RunAsync(new ApprovalService.ApprovalServiceClient(ctx.CreateInvoker()), request, ctx.Out, ctx.Format, ctx.Environment.Time, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(
        ApprovalService.ApprovalServiceClient client, RequestToolApprovalRequest request, TextWriter stdout, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var approval = await client.RequestToolApprovalAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, approval);
        }
        else
        {
            stdout.WriteLine($"Requested approval {approval.Id} for {string.Join(", ", approval.Tools)} (pending; someone with the security role must approve it)");
        }

        return ExitCodes.Ok;
    }
}
