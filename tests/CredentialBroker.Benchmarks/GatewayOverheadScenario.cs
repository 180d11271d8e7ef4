using System.Diagnostics;
using System.Runtime;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// What the gateway adds to a call: one small non-streaming chat completion, sent by the same load
/// generator first straight to the simulated upstream, then through the broker's gateway with a key
/// whose purpose has budgets, rate limits and metering on (all far from refusing).
/// </summary>
internal static class GatewayOverheadScenario
{
    public const string Body = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}],"max_tokens":16}""";

    public static async Task<GatewayOverhead> RunAsync(BrokerHost broker, BenchmarkOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var key = await GatewayBenchSeed.IssueKeyAsync(broker, cancellationToken);
        var noBudgetKey = await GatewayBenchSeed.IssueKeyAsync(broker, GatewayBenchSeed.NoBudgetPurpose, budgets: false, cancellationToken);
        var direct = new HttpLoadTarget(broker.UpstreamAddress + "/v1/chat/completions", "Bearer sk-direct", Body);
        var gateway = new HttpLoadTarget(broker.GatewayAddress + "/openai/v1/chat/completions", "Bearer " + key, Body);
        var noBudget = new HttpLoadTarget(broker.GatewayAddress + "/openai/v1/chat/completions", "Bearer " + noBudgetKey, Body);

        using var builtIn = new HttpClientLoadGenerator(options.Concurrency);
        IHttpLoadGenerator generator = WrkLoadGenerator.Find() as IHttpLoadGenerator ?? builtIn;
        await progress.WriteLineAsync($"scenario gateway: load from {generator.Name}, {options.Concurrency} connections");

        var (directWarmup, directResult) = await RunLegAsync("direct", generator, direct, options, progress, cancellationToken);
        var (gatewayWarmup, gatewayResult) = await RunLegAsync("gateway", generator, gateway, options, progress, cancellationToken);
        var (noBudgetWarmup, noBudgetResult) = await RunLegAsync("gateway without budgets", generator, noBudget, options, progress, cancellationToken);
        return new GatewayOverhead(generator.Name, options.Concurrency, Body, directWarmup, gatewayWarmup, directResult, gatewayResult, noBudgetWarmup, noBudgetResult);
    }

    private static async Task<(double WarmupSeconds, HttpLegResult Result)> RunLegAsync(
        string name, IHttpLoadGenerator generator, HttpLoadTarget target, BenchmarkOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var warmup = options.WarmupPolicy;
        await progress.WriteLineAsync($"  {name}: warm-up {warmup.Minimum.TotalSeconds:0.#}-{warmup.Maximum.TotalSeconds:0.#} s, then {options.Duration.TotalSeconds:0.#} s measured...");
        var warmupSeconds = await WarmUpAsync(generator, target, options.Concurrency, warmup, cancellationToken);
        var result = await generator.RunAsync(target, options.Concurrency, options.Duration, cancellationToken);
        await progress.WriteLineAsync($"  {name}: warmed up {warmupSeconds:0.0} s; {result.Throughput:0} req/s, p50 {result.P50:0.000} ms, p99 {result.P99:0.000} ms, " +
            $"{result.Non2xx} non-2xx, {result.Errors} error(s){(result.FirstError is null ? string.Empty : "; first: " + result.FirstError)}");
        return (warmupSeconds, result);
    }

    /// <summary>Unmeasured load: the minimum, then one-second runs while the JIT still compiles, up to the maximum.</summary>
    private static async Task<double> WarmUpAsync(IHttpLoadGenerator generator, HttpLoadTarget target, int connections, Warmup warmup, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (warmup.Minimum > TimeSpan.Zero)
        {
            await generator.RunAsync(target, connections, warmup.Minimum, cancellationToken);
        }

        var compiled = JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetElapsedTime(started) + TimeSpan.FromSeconds(1) <= warmup.Maximum)
        {
            await generator.RunAsync(target, connections, TimeSpan.FromSeconds(1), cancellationToken);
            var now = JitInfo.GetCompiledMethodCount();
            if (now - compiled < LoadRunner.QuietJitMethodsPerSecond)
            {
                break;
            }

            compiled = now;
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
