using CredentialBroker.Server.Policy;

namespace CredentialBroker.Server.Gateway;

/// <summary>The approval gate: high-risk tools need a live approval for the credential's workload and purpose.</summary>
internal sealed partial class GatewayHandler
{
    /// <summary>The first declared tool that is high-risk for the purpose and not covered by a live approval, as a refusal; else null.</summary>
    private async Task<GatewayDenial?> CheckToolApprovalsAsync(GatewayCredential credential, GatewayPurpose purpose, IReadOnlyList<string> toolNames, DateTimeOffset now, CancellationToken ct)
    {
        var highRisk = purpose.Policy.HighRiskTools;
        if (highRisk.Count == 0 || toolNames.Count == 0)
        {
            return null;
        }

        IReadOnlyList<GatewayApproval>? approvals = null;
        foreach (var tool in toolNames)
        {
            if (!ToolPatterns.AnyMatches(highRisk, tool))
            {
                continue;
            }

            approvals ??= await directory.GetApprovalsAsync(credential.WorkloadId, purpose.Id, ct);
            if (approvals.Any(a => a.ExpiresAt > now && ToolPatterns.AnyMatches(a.Tools, tool)))
            {
                continue;
            }

            return GatewayDenial.Forbidden("tool_not_approved",
                $"Tool '{Clip(tool)}' is high-risk for purpose '{purpose.Name}' and workload '{credential.WorkloadIdentity}' has no live approval for it. " +
                $"Request one (brokerctl approvals request --workload {credential.WorkloadId} --purpose {purpose.Id} --tool {Clip(tool)} --justification \"...\"); " +
                "someone with the security role, other than the requester, must approve it.", "tools");
        }

        return null;
    }
}
