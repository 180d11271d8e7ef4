using System.Globalization;

namespace CredentialBroker.Server.Reports.Controls;

/// <summary>No live credential can live (with renewals) longer than its risk tier allows.</summary>
internal sealed class LifetimeByTierControl : IComplianceControl
{
    public string Id => "lifetime-by-tier";

    public string Title => "No live credential can live, renewals included, longer than its risk tier allows.";

    public IReadOnlyList<string> References => ["OWASP NHI-7", "NIST CSF 2.0 GV.RM-01", "NIST AI RMF GOVERN 1.3"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        const string limit = "CASE p.risk_tier WHEN 'sandbox' THEN $3 WHEN 'internal' THEN $4 ELSE $5 END";
        const string from = $"FROM credentials c JOIN purposes p ON p.id = c.purpose_id WHERE {LiveCredentials.Predicate}";
        object[] limits = [o.MaxLifetimeSandbox, o.MaxLifetimeInternal, o.MaxLifetimeCustomerFacing];
        var byTier = await context.RowsAsync(
            $"SELECT p.risk_tier, extract(epoch FROM max(c.max_expires_at - c.issued_at))::float8, count(*) FILTER (WHERE c.max_expires_at - c.issued_at > {limit}) {from} GROUP BY p.risk_tier ORDER BY p.risk_tier",
            r => (Tier: r.GetString(0), Longest: TimeSpan.FromSeconds(r.GetDouble(1)), Over: r.GetInt64(2)), cancellationToken, limits);
        var over = byTier.Sum(t => t.Over);
        var findings = over == 0 ? [] : await context.FindingsAsync(
            $"SELECT c.id || ' (' || p.risk_tier || ', ' || p.name || ': lifetime ' || (c.max_expires_at - c.issued_at) || ')' {from} AND c.max_expires_at - c.issued_at > {limit} ORDER BY c.max_expires_at - c.issued_at DESC",
            cancellationToken, limits);
        var measured = byTier.Count == 0 ? "no live credentials" : string.Join("; ", byTier.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Tier} longest {ControlContext.Span(t.Longest)}")));
        return new ControlOutcome(
            over == 0,
            over == 0 ? measured : $"{measured}; {ControlContext.Count(over)} over the limit",
            $"sandbox ≤ {ControlContext.Span(o.MaxLifetimeSandbox)}, internal ≤ {ControlContext.Span(o.MaxLifetimeInternal)}, customer_facing ≤ {ControlContext.Span(o.MaxLifetimeCustomerFacing)}",
            "max_expires_at − issued_at of every live credential (the hard end that renewals cannot pass), by its purpose's risk tier; limits from Broker:Compliance.",
            findings);
    }
}
