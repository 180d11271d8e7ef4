namespace CredentialBroker.Server.Reports.Controls;

/// <summary>Every live credential has an active, accountable owner and a declared purpose.</summary>
internal sealed class OwnerAndPurposeControl : IComplianceControl
{
    private const string Orphaned = "NOT o.active";

    public string Id => "owner-and-purpose";

    public string Title => "Every live credential has an active owner and a declared purpose.";

    public IReadOnlyList<string> References => ["NIST CSF 2.0 GV.RM-01", "NIST AI RMF GOVERN 2.1", "OWASP NHI-1"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        const string from = $"FROM credentials c JOIN owners o ON o.id = c.owner_id JOIN purposes p ON p.id = c.purpose_id WHERE {LiveCredentials.Predicate}";
        var live = await context.ScalarAsync<long>($"SELECT count(*) {from}", cancellationToken);
        var orphaned = await context.ScalarAsync<long>($"SELECT count(*) {from} AND ({Orphaned})", cancellationToken);
        var findings = orphaned == 0 ? [] : await context.FindingsAsync(
            $"SELECT c.id || ' (owner ' || o.name || ' deactivated)' {from} AND ({Orphaned}) ORDER BY c.issued_at", cancellationToken);
        return new ControlOutcome(
            orphaned == 0,
            $"{ControlContext.Percent(live - orphaned, live)} ({ControlContext.Count(live - orphaned)} of {ControlContext.Count(live)} live credentials)",
            "100 %",
            "Live credentials (active, unexpired, not covered by a mass revocation) joined to their owner and purpose; every credential row references both (foreign keys), so a failure means an owner was deactivated without its credentials being revoked.",
            findings);
    }
}
