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
        output.WriteLine($"- data: {r.Events:N0} usage events over the last 30 days (weekday peaks, quiet nights and weekends) from {r.Credentials:N0} credentials " +
            $"(Zipf: the busiest makes ~12 %; {UsageWorld.Delegated} delegated from it) in {r.Purposes} purposes of {r.Owners} owners, 2 providers, 6 models, " +
            "log-normal token counts, 1.5 % failed, 0.5 % cut off");
        output.WriteLine($"- seeding: the gateway usage writer's binary COPY into usage_events (monthly partitions, roll-up statement trigger), {r.Workers} connections in parallel, " +
            $"{r.BatchRows:N0} events per statement: {F(r.SeedSeconds, 1)} s, **{F(r.Events / r.SeedSeconds, 0)} events/s**{Disturbed(r.SeedOtherCores)}");
        output.WriteLine($"- GetUsage: over gRPC as an admin, the 30 days (not hour-aligned, so both partial hours are read raw); per id {UsageQueryScenario.GetUsageWarmup} unmeasured calls, " +
            $"then {UsageQueryScenario.GetUsageMeasured} measured, one at a time");
        output.WriteLine($"- raw scan: the per-model aggregate over the same rows of usage_events (what GetUsage did before roll-ups); per id {UsageQueryScenario.RawWarmup} unmeasured, " +
            $"{UsageQueryScenario.RawMeasured} measured" + Disturbed(r.QueryOtherCores));
        output.WriteLine();
        output.WriteLine("| scope | ids | events per id | GetUsage p50 ms | GetUsage p99 ms | raw p50 ms | raw max ms | raw / GetUsage (p50) | totals |");
        output.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|---|");
        foreach (var s in r.Scopes)
        {
            var events = s.MinEvents == s.MaxEvents ? F(s.MinEvents, 0) : $"{F(s.MinEvents, 0)}–{F(s.MaxEvents, 0)}";
            output.WriteLine($"| {s.Scope} | {s.Ids} | {events} | {F(s.GetUsageP50, 2)} | {F(s.GetUsageP99, 2)} | {F(s.RawP50, 1)} | {F(s.RawMs.Max(), 1)} | " +
                $"{F(s.RawP50 / s.GetUsageP50, 1)}× | {(s.Mismatch is null ? "equal" : "**differ**")} |");
        }

        output.WriteLine();
        output.WriteLine($"- whole month: {F(r.RangeEvents, 0)} events counted raw, {F(r.OwnersTotal, 0)} calls reported by GetUsage over all {r.Owners} owners, " +
            $"{F(r.Events, 0)} seeded: {(r.Match ? "equal" : "**DIFFER: " + r.Mismatch + "**")}");
        output.WriteLine();
        output.WriteLine("Roll-up trigger cost to the usage writer: its transaction (BEGIN, binary COPY of one batch, durable COMMIT) on one connection, batch after batch, " +
            "into two fresh tables made like usage_events (partitions, indexes), one with the roll-up trigger, one without; alternately, same rows:");
        output.WriteLine();
        output.WriteLine("| batch | batches per table | with trigger events/s | without events/s | with / without | other processes, cores |");
        output.WriteLine("|--:|--:|--:|--:|--:|--:|");
        foreach (var w in r.Writer)
        {
            output.WriteLine($"| {w.BatchSize:N0} | {w.Batches:N0} | {F(w.WithTriggerRate, 0)} | {F(w.WithoutTriggerRate, 0)} | {F(w.WithTriggerRate / w.WithoutTriggerRate, 2)} | {F(w.OtherCores, 2)} |");
        }
    }

    /// <summary>Cores other processes used on average over <paramref name="seconds"/> (machine busy minus this process and PostgreSQL).</summary>
    public static double? OtherCores(ResourceUsage usage, double seconds) =>
        usage is { MachineBusy: { } busy, PostgresCpuSeconds: { } postgres } && seconds > 0
            ? Math.Max(0, (busy * Environment.ProcessorCount * seconds - usage.ProcessCpuSeconds - postgres) / seconds)
            : null;

    private static string Disturbed(double? otherCores) => $" (other processes: {F(otherCores, 2)} cores)";

    private static string F(double? value, int decimals) =>
        value is { } v ? v.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";
}
