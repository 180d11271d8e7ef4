namespace CredentialBroker.Server.Reports.Controls;

/// <summary>High-risk tools are used only under an approval that a second person gave.</summary>
internal sealed class HighRiskToolControl : IComplianceControl
{
    // Approvals in force in the window that break the two-person rule: decided by the requester
    // itself, or by someone acting for the requester's owner.
    private const string SelfApproved =
        """
        FROM tool_approvals a
        WHERE a.status = 'approved' AND a.expires_at >= $2
          AND (a.decided_by = a.requested_by OR (a.requester_owner_id IS NOT NULL AND a.decided_by_owner_id = a.requester_owner_id))
        """;

    public string Id => "high-risk-tools-approved";

    public string Title => "High-risk tools are used only under an approval given by a second person, and unapproved attempts are refused.";

    public IReadOnlyList<string> References => ["OWASP NHI-5", "NIST AI RMF GOVERN 1.3", "NIST CSF 2.0 GV.RM-01"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        var selfApproved = await context.ScalarAsync<long>($"SELECT count(*) {SelfApproved}", cancellationToken);
        var live = await context.ScalarAsync<long>("SELECT count(*) FROM tool_approvals WHERE status = 'approved' AND expires_at > $1", cancellationToken);
        var refused = await context.ScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE occurred_at >= $2 AND action = 'gateway.denied' AND metadata->>'code' = 'tool_not_approved'", cancellationToken);
        var findings = selfApproved == 0 ? [] : await context.FindingsAsync(
            $"SELECT 'approval ' || a.id || ' (' || array_to_string(a.tools, ',') || ': requested by ' || a.requested_by || ', approved by ' || a.decided_by || ')' {SelfApproved} ORDER BY a.decided_at",
            cancellationToken);
        return new ControlOutcome(
            selfApproved == 0,
            $"{ControlContext.Count(selfApproved)} approvals in force in the window broke the two-person rule; {ControlContext.Count(live)} live approvals; {ControlContext.Count(refused)} calls declaring an unapproved high-risk tool refused",
            "0 self-approvals",
            "Approvals in force during the window (tool_approvals) compared requester with approver, by actor and by owner; refusals from the audit log (gateway.denied, code tool_not_approved). The gateway forwards no request that declares an unapproved high-risk tool, so refused attempts are the evidence of attempted use.",
            findings);
    }
}
