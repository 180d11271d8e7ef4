using System.Globalization;

namespace CredentialBroker.Benchmarks;

/// <summary>Writes the usage scenario as Markdown.</summary>
internal static class UsageQueryReport
{
    public static void Write(TextWriter output, UsageQueryResult r)
    {
        output.WriteLine();
        output.WriteLine("### Usage queries at volume: GetUsage (hourly roll-ups) vs the raw scan");
        output.WriteLine();
        output.WriteLine($"- data: {r.Events:N0} usage events over the last 30 days for one owner, {r.Credentials:N0} credentials, 2 models; " +
            $"inserted through usage_events (monthly partitions, roll-up trigger) in {F(r.SeedSeconds, 1)} s ({F(r.Events / r.SeedSeconds, 0)} events/s)");
        output.WriteLine("- GetUsage: owner scope, the 30 days, over gRPC; 3 unmeasured calls, then 20 measured");
        output.WriteLine("- raw scan: `count(*), sum(cost)` over the same rows of usage_events (what GetUsage did before roll-ups); 1 unmeasured, 3 measured");
        output.WriteLine();
        output.WriteLine("| query | p50 ms | max ms |");
        output.WriteLine("|---|--:|--:|");
        output.WriteLine($"| GetUsage (roll-ups) | {F(r.GetUsageP50, 2)} | {F(r.GetUsageMax, 2)} |");
        output.WriteLine($"| raw scan | {F(r.RawP50, 1)} | {F(r.RawScanMs.Max(), 1)} |");
        output.WriteLine();
        output.WriteLine($"- ratio raw / GetUsage (p50): {F(r.RawP50 / r.GetUsageP50, 1)}×; totals {(r.Match ? "match" : "**DIFFER: " + r.Mismatch + "**")}");
    }

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
