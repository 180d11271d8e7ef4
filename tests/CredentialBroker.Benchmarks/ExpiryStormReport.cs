using System.Globalization;

namespace CredentialBroker.Benchmarks;

/// <summary>Writes the expiry-storm scenario as Markdown.</summary>
internal static class ExpiryStormReport
{
    public static void Write(TextWriter output, MachineInfo machine, ExpiryStormResult r)
    {
        var sweeping = r.Runs.Where(x => x.Run.Expired is > 0).ToList();
        var runSeconds = sweeping.Sum(x => x.Run.Duration.TotalSeconds);
        output.WriteLine();
        output.WriteLine("### Expiry storm: every seeded credential expires within one window, swept by the expiry job");
        output.WriteLine();
        output.WriteLine($"- seeded {r.Seeded:N0} live credentials expiring evenly over {F(r.Spread.TotalSeconds, 0)} s in {F(r.SeedSeconds, 1)} s; " +
            $"the real Quartz expiry job every {F(r.Interval.TotalSeconds, 0)} s (Broker:ExpirySweepInterval), Broker:BatchSize {r.BatchSize:N0}");
        output.WriteLine(r.SweptAfterLastExpiry is { } last
            ? $"- every one expired {F(last, 1)} s after the last expiry instant ({F(r.SweptAfterFirstExpiry, 1)} s after the first); " +
              $"target: within 60 s of the last — **{(last <= 60 ? "met" : "not met")}**"
            : "- not every credential was expired within 15 minutes of the first expiry");
        output.WriteLine($"- {r.Expired:N0} of the seeded credentials expired (reason 'expired'), {r.Audited:N0} credential.expired audit events");
        output.WriteLine($"- job runs after the first expiry: {r.Runs.Count}, {sweeping.Count} of them expiring something: " +
            string.Join("; ", r.Runs.Select(x => $"+{F(x.StartedAfterFirstExpiry, 1)} s for {F(x.Run.Duration.TotalSeconds, 1)} s, {(x.Run.Expired is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "?")} expired{(x.Run.Failed ? " (failed)" : string.Empty)}")));
        output.WriteLine($"- sweep rate while a run executed: {F(sweeping.Sum(x => x.Run.Expired ?? 0) / Math.Max(runSeconds, 0.001), 0)} rows/s ({F(runSeconds, 1)} s of runs)");
        output.WriteLine($"- audit sealer: at most {r.PeakUnsealed:N0} events waiting to be sealed (sampled every 2 s), {r.UnsealedWhenSwept:N0} when the sweep was done, " +
            (r.SealedAfterSwept is { } sealedAfter ? $"all of those sealed {F(sealedAfter, 1)} s later" : "not all sealed within 15 minutes"));
        output.WriteLine($"- peak resident memory of the process (broker + load generator): {r.PeakRssBytes / (1024.0 * 1024.0):N0} MiB (target ≤ 512 MB)");
        output.WriteLine();
        output.WriteLine("| issuance | req/s | p50 ms | p99 ms | max ms | errors |");
        output.WriteLine("|---|--:|--:|--:|--:|--:|");
        Row(output, "before (baseline)", r.Baseline, r.Baseline.Throughput);
        // Calls count while a run executes; the load ran from the first expiry until every credential was expired.
        Row(output, "while a job run executes", r.DuringSweep, r.RunningSeconds > 0 ? r.DuringSweep.Completed / r.RunningSeconds : 0);
        output.WriteLine();
        output.WriteLine($"- other processes (neither this one nor PostgreSQL) kept {F(MarkdownReport.OtherCores(r.Baseline, machine.Cores), 2)} cores busy during the baseline " +
            $"and {F(MarkdownReport.OtherCores(r.DuringSweep, machine.Cores), 2)} from the first expiry until the sweep was done; above 0.1 the run was disturbed and its figures understate the machine");
        output.WriteLine($"- issuance p99 during the sweep / baseline: {F(r.DuringSweep.P99 / Math.Max(r.Baseline.P99, 0.001), 2)}× (target ≤ 2×)");
    }

    private static void Row(TextWriter output, string name, PhaseResult p, double throughput) =>
        output.WriteLine($"| {name} | {F(throughput, 0)} | {F(p.P50, 2)} | {F(p.P99, 2)} | {F(p.Max, 2)} | {p.Errors} |");

    private static string F(double? value, int decimals) =>
        value is { } v ? v.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";
}
