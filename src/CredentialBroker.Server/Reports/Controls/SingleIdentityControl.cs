namespace CredentialBroker.Server.Reports.Controls;

/// <summary>No credential is used by a caller other than the workload it was issued to.</summary>
internal sealed class SingleIdentityControl : IComplianceControl
{
    private const string Shared =
        """
        FROM (SELECT u.credential_id, count(DISTINCT u.caller_identity) AS identities, bool_or(u.caller_identity <> w.identity) AS foreign_caller
              FROM usage_events u JOIN workloads w ON w.id = u.workload_id
              WHERE u.occurred_at >= $2 AND u.caller_identity IS NOT NULL
              GROUP BY u.credential_id) s
        WHERE s.identities > 1 OR s.foreign_caller
        """;

    public string Id => "single-identity";

    public string Title => "No credential is used by more than one identity or by an identity other than its workload.";

    public IReadOnlyList<string> References => ["OWASP NHI-9", "OWASP NHI-2"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        var shared = await context.ScalarAsync<long>($"SELECT count(*) {Shared}", cancellationToken);
        var used = await context.ScalarAsync<long>("SELECT count(DISTINCT credential_id) FROM usage_events WHERE occurred_at >= $2", cancellationToken);
        var anonymous = await context.ScalarAsync<long>(
            "SELECT count(DISTINCT credential_id) FROM usage_events WHERE occurred_at >= $2 AND caller_identity IS NULL", cancellationToken);
        var findings = shared == 0 ? [] : await context.FindingsAsync(
            $"SELECT s.credential_id || ' (' || s.identities || ' identities' || CASE WHEN s.foreign_caller THEN ', not its workload' ELSE '' END || ')' {Shared} ORDER BY s.identities DESC",
            cancellationToken);
        return new ControlOutcome(
            shared == 0,
            $"{ControlContext.Count(shared)} of {ControlContext.Count(used)} credentials used in the window; {ControlContext.Count(anonymous)} of them had calls without a caller identity",
            "0",
            "Caller identities on usage events (the workload JWT or client certificate presented with gateway calls) against the credential's workload. Calls that present no identity cannot show sharing; require sender binding on a purpose to make every call present one.",
            findings);
    }
}
