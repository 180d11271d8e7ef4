using System.Globalization;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// A key presented by a caller identity other than the workload it was issued to: shared or leaked
/// (OWASP NHI-9). Real time on the gateway (<see cref="Check"/>), and over the recent window's usage
/// events in the job. Score = distinct identities seen / the one allowed.
/// </summary>
internal static class IdentityDetector
{
    /// <summary>The gateway's real-time check of one call; null when the presented identity is the workload's or none was presented.</summary>
    public static AnomalyFinding? Check(Guid credentialId, string workloadIdentity, string? presented)
    {
        if (presented is null || presented == workloadIdentity)
        {
            return null;
        }

        return Finding(credentialId, workloadIdentity, new Dictionary<string, long> { [presented] = 1 }, "gateway");
    }

    public static AnomalyFinding? Detect(CredentialActivity activity)
    {
        var foreign = activity.RecentIdentities.Where(i => i.Key != activity.WorkloadIdentity).ToDictionary(i => i.Key, i => i.Value);
        return foreign.Count == 0 ? null : Finding(activity.CredentialId, activity.WorkloadIdentity, foreign, "usage");
    }

    private static AnomalyFinding Finding(Guid credentialId, string expected, Dictionary<string, long> foreign, string source)
    {
        var identities = foreign.Keys.Order(StringComparer.Ordinal).Take(5).Select(Clip).ToList();
        return new AnomalyFinding(credentialId, AnomalyKind.IdentityMismatch, 1 + foreign.Count, new Dictionary<string, string>
        {
            ["expected_identity"] = Clip(expected),
            ["presented_identities"] = string.Join(",", identities),
            ["distinct_foreign_identities"] = foreign.Count.ToString(CultureInfo.InvariantCulture),
            ["foreign_calls"] = foreign.Values.Sum().ToString(CultureInfo.InvariantCulture),
            ["source"] = source,
        }, $"The key of workload '{Clip(expected)}' was presented by {string.Join(", ", identities.Select(i => $"'{i}'"))}.");
    }

    private static string Clip(string value) => value.Length <= 200 ? value : value[..200];
}
