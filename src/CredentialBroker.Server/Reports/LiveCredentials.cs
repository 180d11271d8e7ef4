namespace CredentialBroker.Server.Reports;

/// <summary>SQL for "live": active on the row, not expired and not covered by a mass revocation — what the gateway enforces.</summary>
internal static class LiveCredentials
{
    /// <summary>A WHERE condition on credentials aliased <c>c</c>; <c>$1</c> is now.</summary>
    public const string Predicate =
        "c.status = 'active' AND c.expires_at > $1 AND credential_watermark(c.owner_id, c.purpose_id, c.provider_name, c.workload_id, c.issued_at, c.labels) IS NULL";
}
