using System.Globalization;

namespace CredentialBroker.Benchmarks;

/// <summary>Writes the gateway scenario as Markdown: both legs, the difference, and the targets it is held against.</summary>
internal static class GatewayReport
{
    public static void Write(TextWriter output, BenchmarkOptions options, GatewayOverhead g)
    {
        output.WriteLine();
        output.WriteLine("### Gateway overhead: simulated upstream directly vs through the gateway");
        output.WriteLine();
        output.WriteLine($"- load generator: {g.Generator}; {g.Connections} connections, HTTP/1.1 keep-alive, closed loop, on the same cores as the broker, the simulated upstream and PostgreSQL");
        output.WriteLine($"- request: `POST /v1/chat/completions` (direct, `Authorization: Bearer sk-direct`) and `POST /openai/v1/chat/completions` (gateway, a `cbk_` key) with `{g.Body}`");
        output.WriteLine("- gateway purpose: credential and purpose limits set (10,000,000 rpm; lifetime budget $100,000 per credential, monthly budget $1,000,000 per purpose), " +
            "so every request is rate-limited, reserved against budgets in PostgreSQL and metered, and none is refused");
        output.WriteLine($"- each leg: warm-up (not counted) as for the phases above, then {F(options.Duration.TotalSeconds, 0)} s measured; direct first, then gateway");
        output.WriteLine();
        output.WriteLine("| leg | warm-up s | measured s | requests | req/s | p50 ms | p99 ms | non-2xx | socket errors |");
        output.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        Row(output, "direct", g.DirectWarmupSeconds, g.Direct);
        Row(output, "gateway", g.GatewayWarmupSeconds, g.Gateway);
        Row(output, "gateway, no budgets", g.NoBudgetWarmupSeconds, g.NoBudget);
        output.WriteLine();
        output.WriteLine($"- added latency: p50 {Signed(g.AddedP50)} ms, p99 {Signed(g.AddedP99)} ms");
        output.WriteLine($"- throughput ratio gateway / direct: {F(g.Ratio, 3)} ({F(g.Ratio * 100, 1)} %)");
        var noBudgetRatio = g.Direct.Throughput > 0 ? g.NoBudget.Throughput / g.Direct.Throughput : 0;
        output.WriteLine($"- the same purpose without budgets (rate limits and metering only, no reservation in PostgreSQL): added p50 {Signed(g.NoBudget.P50 - g.Direct.P50)} ms, " +
            $"p99 {Signed(g.NoBudget.P99 - g.Direct.P99)} ms, throughput ratio {F(noBudgetRatio, 3)} ({F(noBudgetRatio * 100, 1)} %)");
        output.WriteLine();
        output.WriteLine($"Targets{(options.Quick ? " (--quick: too short to judge)" : string.Empty)}: " +
            $"added p50 ≤ {F(GatewayOverhead.TargetAddedP50, 1)} ms {Verdict(g.AddedP50 <= GatewayOverhead.TargetAddedP50)}, " +
            $"added p99 ≤ {F(GatewayOverhead.TargetAddedP99, 0)} ms {Verdict(g.AddedP99 <= GatewayOverhead.TargetAddedP99)}, " +
            $"throughput ≥ {F(GatewayOverhead.TargetRatio * 100, 0)} % of direct {Verdict(g.Ratio >= GatewayOverhead.TargetRatio)}" +
            (g.Clean ? "." : "; **the run had non-2xx responses or errors, so these figures do not count**."));
    }

    private static void Row(TextWriter output, string name, double warmup, HttpLegResult r) =>
        output.WriteLine($"| {name} | {F(warmup, 1)} | {F(r.Seconds, 1)} | {r.Requests} | {F(r.Throughput, 0)} | {F(r.P50, 3)} | {F(r.P99, 3)} | {r.Non2xx} | {r.Errors} |");

    private static string Verdict(bool met) => met ? "**met**" : "**not met**";

    private static string Signed(double value) => (value >= 0 ? "+" : string.Empty) + F(value, 3);

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
