namespace CredentialBroker.Server.Reports.Controls;

/// <summary>Secrets are stored only as hashes or encrypted envelopes, and no issued key shows up in the audit log.</summary>
internal sealed class SecretStorageControl : IComplianceControl
{
    // An issued key or access token: kind, '_', 32 random + 6 checksum characters (Credentials/SecretKey.cs).
    private const string KeyPattern = "cb[kt]_[0-9A-Za-z]{38}";

    public string Id => "secret-storage";

    public string Title => "Issued keys and tokens are stored only as hashes, provider keys only encrypted, and no key appears in the audit log.";

    public IReadOnlyList<string> References => ["OWASP NHI-2", "NIST CSF 2.0 GV.RM-01"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        var findings = new List<string>();
        findings.AddRange(await context.FindingsAsync(
            "SELECT 'credential ' || id || ' (secret_hash is not a SHA-256)' FROM credentials WHERE octet_length(secret_hash) <> 32", cancellationToken));
        findings.AddRange(await context.FindingsAsync(
            "SELECT 'access token ' || id || ' (token_hash is not a SHA-256)' FROM access_tokens WHERE octet_length(token_hash) <> 32", cancellationToken));
        findings.AddRange(await context.FindingsAsync(
            "SELECT 'provider ' || name || ' (root key is not an encrypted envelope)' FROM providers WHERE root_key_envelope IS NOT NULL AND root_key_envelope !~ '^v1\\.[^.]+\\.[^.]+\\.[^.]+$'",
            cancellationToken));
        findings.AddRange(await context.FindingsAsync(
            $"SELECT 'audit event ' || id || ' (' || action || ': holds what looks like an issued key)' FROM audit_events WHERE occurred_at >= $2 AND (coalesce(reason, '') || metadata::text) ~ '{KeyPattern}'",
            cancellationToken));
        var scanned = await context.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE occurred_at >= $2", cancellationToken);
        return new ControlOutcome(
            findings.Count == 0,
            $"{ControlContext.Count(findings.Count)} problems; {ControlContext.Count(scanned)} audit events in the window scanned",
            "0",
            "Lengths of stored credential and access-token hashes (32-byte SHA-256), the format of provider root keys (AES-256-GCM envelopes), and a scan of the audit log's reasons and details in the window for the issued-key format.",
            findings.Take(ControlContext.MaxFindings).ToList());
    }
}
