using System.Globalization;

namespace CredentialBroker.Benchmarks;

/// <summary>Writes the mass-revocation scenario as Markdown.</summary>
internal static class MassRevocationReport
{
    public static void Write(TextWriter output, MassRevocationResult r)
    {
        output.WriteLine();
        output.WriteLine("### Mass revocation: one RevokeMatching over every seeded credential");
        output.WriteLine();
        output.WriteLine($"- seeded {r.Seeded:N0} live credentials (one of them a real key, warmed in the gateway's cache) in {F(r.SeedSeconds, 1)} s");
        output.WriteLine($"- the gateway refused the real key {F(r.EnforcedMs, 1)} ms after RevokeMatching (label selector) started (polled during the call); " +
            $"the call returned by {F(r.RevokeCallMs, 1)} ms (when the poll loop ended, if later) with {r.Matched:N0} matched");
        output.WriteLine(r.MarkingSeconds is { } m
            ? $"- background marking: {r.Marked:N0} rows in {F(m, 1)} s ({F(r.Marked / Math.Max(m, 0.001), 0)} rows/s)"
            : $"- background marking did not finish within 15 minutes ({r.Marked:N0} rows marked)");
        output.WriteLine($"- peak resident memory of the process (broker + load generator): {r.PeakRssBytes / (1024.0 * 1024.0):N0} MiB");
        output.WriteLine();
        output.WriteLine("| issuance | req/s | p50 ms | p99 ms | errors |");
        output.WriteLine("|---|--:|--:|--:|--:|");
        Row(output, "before (baseline)", r.Baseline);
        Row(output, "during marking", r.DuringMarking);
        output.WriteLine();
        output.WriteLine($"- issuance p99 during marking / baseline: {F(r.DuringMarking.P99 / Math.Max(r.Baseline.P99, 0.001), 2)}× (target ≤ 2×)");
    }

    private static void Row(TextWriter output, string name, PhaseResult p) =>
        output.WriteLine($"| {name} | {F(p.Throughput, 0)} | {F(p.P50, 2)} | {F(p.P99, 2)} | {p.Errors} |");

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
