namespace CredentialBroker.Server.Reports.Controls;

/// <summary>Every real provider key upstream belongs to a credential, and every revoked one is gone upstream.</summary>
internal sealed class UpstreamKeyControl : IComplianceControl
{
    private const string Shadow = "FROM shadow_keys s JOIN providers p ON p.id = s.provider_id WHERE s.last_seen >= $2";
    private const string Irrevocable = "FROM upstream_keys k JOIN providers p ON p.id = k.provider_id WHERE k.state = 'irrevocable'";

    public string Id => "upstream-keys-accounted";

    public string Title => "No provider key exists upstream without a credential (shadow key), and none the broker revoked is still live upstream (irrevocable).";

    public IReadOnlyList<string> References => ["OWASP NHI-1", "OWASP NHI-2", "OWASP NHI-7", "NIST CSF 2.0 GV.RM-01"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        var shadow = await context.ScalarAsync<long>($"SELECT count(*) {Shadow}", cancellationToken);
        var irrevocable = await context.ScalarAsync<long>($"SELECT count(*) {Irrevocable}", cancellationToken);
        var direct = await context.ScalarAsync<long>("SELECT count(*) FROM upstream_keys WHERE state = 'live'", cancellationToken);
        var findings = new List<string>();
        if (shadow > 0)
        {
            findings.AddRange(await context.FindingsAsync(
                $"SELECT 'shadow key ' || s.upstream_id || ' (' || p.name || ', \"' || s.name || '\", first seen ' || s.first_seen || ')' {Shadow} ORDER BY s.first_seen", cancellationToken));
        }

        if (irrevocable > 0)
        {
            findings.AddRange(await context.FindingsAsync(
                $"SELECT 'credential ' || k.credential_id || ' (' || p.name || ' key ' || k.upstream_id || ' could not be deleted upstream: ' || coalesce(k.last_error, 'unknown') || ')' {Irrevocable} ORDER BY k.created_at",
                cancellationToken));
        }

        return new ControlOutcome(
            shadow == 0 && irrevocable == 0,
            $"{ControlContext.Count(shadow)} shadow keys seen in the window, {ControlContext.Count(irrevocable)} irrevocable keys; {ControlContext.Count(direct)} directly delivered keys live upstream",
            "0 shadow, 0 irrevocable",
            "The reconcile job's listing of provider service accounts and keys (shadow_keys: upstream keys no credential accounts for, seen in the window) and the upstream-deletion state of directly delivered keys (upstream_keys.state = irrevocable after every retry failed).",
            findings.Take(ControlContext.MaxFindings).ToList());
    }
}
