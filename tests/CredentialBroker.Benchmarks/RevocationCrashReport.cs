using System.Globalization;

namespace CredentialBroker.Benchmarks;

/// <summary>Writes the kill-during-marking scenario as Markdown.</summary>
internal static class RevocationCrashReport
{
    public static void Write(TextWriter output, RevocationCrashResult r)
    {
        var remaining = r.Matched - r.MarkedBeforeKill;
        output.WriteLine();
        output.WriteLine("### Mass revocation: marking resumed after kill -9");
        output.WriteLine();
        output.WriteLine($"- two server processes on the database (ready {F(r.StartupSeconds, 1)} s after they were started in parallel); {r.Seeded:N0} live credentials (one a real key); one RevokeMatching matched {r.Matched:N0}");
        output.WriteLine($"- `kill -9` of {r.KilledReplica} (the process holding the marker's lock) {F(r.KilledAfterSeconds, 2)} s after the call returned, " +
            $"with {r.MarkedBeforeKill:N0} rows marked ({F(100.0 * r.MarkedBeforeKill / Math.Max(1, r.Matched), 1)} %); restarted under the same replica id, ready in {F(r.RestartSeconds, 1)} s");
        output.WriteLine($"- marking resumed by {r.ResumedBy}; " + (r.CompletedAfterKillSeconds is { } s
            ? $"complete {F(s, 1)} s after the kill ({remaining:N0} remaining rows, {F(remaining / Math.Max(s, 0.001), 0)} rows/s including the wait for a marker to pick it up)"
            : "**did not complete within 15 minutes of the kill**"));
        output.WriteLine($"- afterwards: marked_count {r.MarkedCount:N0}, rows revoked by this revocation {r.RowsRevokedByIt:N0}, covered rows not revoked {r.StillActive:N0}, " +
            $"`revocation.marking_completed` audit events {r.CompletionAuditEvents}");
        output.WriteLine($"- the real key, sent to both gateways every ~20 ms from the call's return until marking was complete and the restarted process had refused it 10 times: refused {string.Join(", ", r.Poller.Refused.Select(p => $"{p.Value:N0}× by {p.Key}"))}; " +
            $"accepted {r.Poller.Accepted}, other statuses {r.Poller.Other}, no process listening {r.Poller.Unreachable:N0}×");
        output.WriteLine();
        output.WriteLine(r.Correct
            ? "Resumption: **correct** (no row re-marked, counted twice or left active; one completion event; the key never accepted)."
            : $"Resumption: **wrong**: {r.Problems}.");
    }

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
