namespace CredentialBroker.Server.Reports.Controls;

/// <summary>Every live credential has an active, accountable owner and a declared purpose.</summary>
internal sealed class OwnerAndPurposeControl : IComplianceControl
{
    private const string Orphaned = "NOT o.active OR p.retired_at IS NOT NULL OR w.deregistered_at IS NOT NULL";

    public string Id => "owner-and-purpose";

    public string Title => "Every live credential has an active owner, a purpose in force and a registered workload.";

    public IReadOnlyList<string> References => ["NIST CSF 2.0 GV.RM-01", "NIST AI RMF GOVERN 2.1", "OWASP NHI-1"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        const string from = $"FROM credentials c JOIN owners o ON o.id = c.owner_id JOIN purposes p ON p.id = c.purpose_id JOIN workloads w ON w.id = c.workload_id WHERE {LiveCredentials.Predicate}";
        var live = await context.ScalarAsync<long>($"SELECT count(*) {from}", cancellationToken);
        var orphaned = await context.ScalarAsync<long>($"SELECT count(*) {from} AND ({Orphaned})", cancellationToken);
        var findings = orphaned == 0 ? [] : await context.FindingsAsync(
            $"""
            SELECT c.id || ' (' || CASE WHEN NOT o.active THEN 'owner ' || o.name || ' deactivated'
                                        WHEN p.retired_at IS NOT NULL THEN 'purpose ' || p.name || ' retired'
                                        ELSE 'workload ' || w.identity || ' deregistered' END || ')'
            {from} AND ({Orphaned}) ORDER BY c.issued_at
            """, cancellationToken);
        return new ControlOutcome(
            orphaned == 0,
            $"{ControlContext.Percent(live - orphaned, live)} ({ControlContext.Count(live - orphaned)} of {ControlContext.Count(live)} live credentials)",
            "100 %",
            "Live credentials (active, unexpired, not covered by a mass revocation) joined to their owner, purpose and workload; every credential row references all three (foreign keys), so a failure means an owner was deactivated, a purpose retired or a workload deregistered without its credentials being revoked.",
            findings);
    }
}
