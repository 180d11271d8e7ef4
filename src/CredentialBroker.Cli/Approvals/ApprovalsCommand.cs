using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Approvals;

/// <summary><c>approvals</c>: request, review and list approvals of high-risk tools.</summary>
public static class ApprovalsCommand
{
    public static Command Create(CliEnvironment env) => new("approvals", """
        Request, approve, deny and list approvals of high-risk tools (two-person rule)

        Examples:
          brokerctl approvals request --workload 3c1e... --purpose 9a2f... --tool shell_exec --justification "deploy agent" --ttl 7d
          brokerctl approvals list --status pending
          brokerctl approvals approve 0193... --note "reviewed the agent's sandbox"
          brokerctl approvals deny 0193... --note "use the read-only tool instead"
        """)
    {
        ApprovalsListCommand.Create(env),
        ApprovalsRequestCommand.Create(env),
        ApprovalsApproveCommand.Create(env),
        ApprovalsDenyCommand.Create(env),
    };
}
