using System.Globalization;

namespace CredentialBroker.Benchmarks;

/// <summary>Writes the gateway-through-server-processes legs and the limits checked under spread load as Markdown.</summary>
internal static class GatewayReplicasReport
{
    public static void Write(TextWriter output, BenchmarkOptions options, GatewayReplicas g)
    {
        output.WriteLine();
        output.WriteLine($"### Gateway overhead through {g.Replicas} server processes on one database");
        output.WriteLine();
        output.WriteLine($"- {g.Replicas} broker server processes (the in-process broker stopped), ready {F(g.StartupSeconds, 1)} s after they were started in parallel; " +
            "the same purpose (limits set, never reached) and request as above");
        output.WriteLine($"- load generator: {g.Generator}; {g.Connections} connections in all, spread evenly over the target(s) of each leg; " +
            $"each leg {F(options.Warmup.TotalSeconds, 0)} s warm-up (fixed: the processes' JIT is not visible from here), then {F(options.Duration.TotalSeconds, 0)} s measured");
        if (g.Generator.StartsWith("wrk", StringComparison.Ordinal))
        {
            output.WriteLine("- wrk runs one process per target: the spread leg's p50 is the request-weighted mean of theirs, its p99 the highest");
        }

        output.WriteLine();
        output.WriteLine("| leg | requests | req/s | p50 ms | p99 ms | added p50 | added p99 | vs direct | non-2xx | errors |");
        output.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        Row(output, "direct", g.Direct, g.Direct);
        Row(output, "gateway, 1 process", g.Single, g.Direct);
        Row(output, $"gateway, {g.Replicas} processes", g.Spread, g.Direct);
        Row(output, $"gateway without budgets, {g.Replicas} processes", g.SpreadNoBudget, g.Direct);
        output.WriteLine();
        var scale = g.Single.Throughput > 0 ? g.Spread.Throughput / g.Single.Throughput : 0;
        output.WriteLine($"- {g.Replicas} processes / 1 process: {F(scale, 2)}× the throughput on the same cores");

        var l = g.Limits;
        output.WriteLine($"- budget under spread load ({l.Connections} connections over {l.Replicas} gateways, {F(l.BudgetSeconds, 1)} s, purpose budget {l.BudgetMaxMicroUsd:N0} micro-USD a month): " +
            $"{l.BudgetForwarded:N0} forwarded, {l.BudgetRefused:N0} refused; spent {l.BudgetSpentMicroUsd:N0}, reserved {l.BudgetReservedMicroUsd:N0} after settlement — " +
            (l.BudgetHeld ? "**never overshot**" : "**not held**"));
        output.WriteLine($"- rate limit under spread load ({l.RequestsPerMinute:N0} requests/min on the purpose, {F(l.RateSeconds, 1)} s): admitted {l.RateAdmitted:N0}, refused {l.RateRefused:N0}; " +
            $"one global bucket allows {F(l.RateAllowed, 0)} → {F(l.RateRatio * 100, 1)} % (target within 10 %: {(l.RateWithinTenPercent ? "**met**" : "**not met**")}; " +
            $"a bucket per replica with the whole limit would admit ~{F(l.RateAllowed * l.Replicas, 0)})");
        if (l.Other > 0)
        {
            output.WriteLine($"- {l.Other} response(s) other than 200/429; first: {l.FirstOther}");
        }
    }

    private static void Row(TextWriter output, string name, HttpLegResult r, HttpLegResult direct)
    {
        var isDirect = ReferenceEquals(r, direct);
        output.WriteLine($"| {name} | {r.Requests:N0} | {F(r.Throughput, 0)} | {F(r.P50, 3)} | {F(r.P99, 3)} | " +
            $"{(isDirect ? string.Empty : Signed(r.P50 - direct.P50))} | {(isDirect ? string.Empty : Signed(r.P99 - direct.P99))} | " +
            $"{(isDirect ? string.Empty : F(100 * r.Throughput / Math.Max(direct.Throughput, 0.001), 1) + " %")} | {r.Non2xx} | {r.Errors} |");
    }

    private static string Signed(double value) => (value >= 0 ? "+" : string.Empty) + F(value, 3);

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
