using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Reports.Controls;

/// <summary>No live credential has gone unused longer than its risk tier's staleness limit.</summary>
internal sealed class StaleCredentialControl(IOptions<BrokerOptions> options) : IComplianceControl
{
    public string Id => "no-stale-credentials";

    public string Title => "No live credential has gone unused for longer than its risk tier allows.";

    public IReadOnlyList<string> References => ["OWASP NHI-7", "OWASP NHI-1", "NIST CSF 2.0 GV.RM-01"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        var g = options.Value.Governance;
        // Zero disables a tier (Broker:Governance:StaleAfter*): such credentials are never stale.
        const string limit = "CASE p.risk_tier WHEN 'sandbox' THEN $3 WHEN 'internal' THEN $4 ELSE $5 END";
        const string stale = $"{limit} > interval '0' AND $1 - coalesce(c.last_used_at, c.issued_at) > {limit}";
        const string from = $"FROM credentials c JOIN purposes p ON p.id = c.purpose_id WHERE {LiveCredentials.Predicate}";
        object[] limits = [g.StaleAfterSandbox, g.StaleAfterInternal, g.StaleAfterCustomerFacing];
        var live = await context.ScalarAsync<long>($"SELECT count(*) {from}", cancellationToken);
        var count = await context.ScalarAsync<long>($"SELECT count(*) {from} AND {stale}", cancellationToken, limits);
        var findings = count == 0 ? [] : await context.FindingsAsync(
            $"SELECT c.id || ' (' || p.risk_tier || ': last used ' || coalesce(c.last_used_at::text, 'never, issued ' || c.issued_at::text) || ')' {from} AND {stale} ORDER BY coalesce(c.last_used_at, c.issued_at)",
            cancellationToken, limits);
        return new ControlOutcome(
            count == 0,
            $"{ControlContext.Count(count)} of {ControlContext.Count(live)} live credentials unused past their tier's limit",
            $"0 (sandbox {Limit(g.StaleAfterSandbox)}, internal {Limit(g.StaleAfterInternal)}, customer_facing {Limit(g.StaleAfterCustomerFacing)})",
            "Last metered use (credentials.last_used_at, or the issue time when never used) of every live credential against Broker:Governance:StaleAfter* for its purpose's tier; the stale job revokes these, so a failure means it has not run or is failing.",
            findings);
    }

    private static string Limit(TimeSpan span) => span == TimeSpan.Zero ? "off" : ControlContext.Span(span);
}
