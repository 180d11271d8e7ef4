using CredentialBroker.Testing;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// The gateway overhead through several broker server processes on one database (the in-process broker
/// stopped), with the load generator's connections spread evenly over their gateways: direct to the
/// simulated upstream, through one process, through all of them, side by side in the same run.
/// </summary>
internal static class GatewayReplicasScenario
{
    public const string Purpose = "bench-gateway-replicas";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    public static async Task<GatewayReplicas> RunAsync(
        BrokerHost broker, string connectionString, BenchmarkOptions options, IHttpLoadGenerator generator, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        var replicas = Enumerable.Range(1, options.Replicas).Select(i => new ServerProcess($"bench-replica-{i}", broker.ReplicaEnvironment)).ToList();
        try
        {
            await progress.WriteLineAsync($"scenario gateway, {replicas.Count} server processes: starting them...");
            var started = System.Diagnostics.Stopwatch.StartNew();
            await Task.WhenAll(replicas.Select(r => r.StartAsync(StartTimeout, cancellationToken)));
            var startup = started.Elapsed.TotalSeconds;
            var key = await GatewayBenchSeed.IssueKeyAsync(broker, replicas[0].Channel, Purpose, budgets: true, cancellationToken);
            var noBudgetKey = await GatewayBenchSeed.IssueKeyAsync(broker, replicas[0].Channel, Purpose + "-no-budget", budgets: false, cancellationToken);
            var direct = new HttpLoadTarget(broker.UpstreamAddress + "/v1/chat/completions", "Bearer sk-direct", GatewayOverheadScenario.Body);
            var gateways = replicas.Select(r => new HttpLoadTarget(r.GatewayAddress + "/openai/v1/chat/completions", "Bearer " + key, GatewayOverheadScenario.Body)).ToList();

            // The processes' JIT is not this process's, so warm-ups are fixed: all of them first, then each leg's own.
            await progress.WriteLineAsync($"  warming up every process for {options.Warmup.TotalSeconds:0.#} s...");
            await WarmUpAsync(generator, gateways, options, cancellationToken);
            var directResult = await LegAsync("direct", generator, [direct], options, progress, cancellationToken);
            var single = await LegAsync("gateway, one process", generator, gateways[..1], options, progress, cancellationToken);
            var spread = await LegAsync($"gateway, {replicas.Count} processes", generator, gateways, options, progress, cancellationToken);
            var noBudget = await LegAsync($"gateway without budgets, {replicas.Count} processes", generator,
                [.. gateways.Select(g => g with { Authorization = "Bearer " + noBudgetKey })], options, progress, cancellationToken);

            await progress.WriteLineAsync($"  limits under spread load: budget {ReplicaLimitsCheck.BudgetMicroUsd} micro-USD, {ReplicaLimitsCheck.RequestsPerMinute} requests/min...");
            var limitsWindow = options.Duration < TimeSpan.FromSeconds(10) ? options.Duration : TimeSpan.FromSeconds(10);
            var limits = await ReplicaLimitsCheck.RunAsync(broker, data, replicas, limitsWindow, cancellationToken);
            await progress.WriteLineAsync($"  budget: {limits.BudgetForwarded} forwarded, {limits.BudgetRefused} refused, spent {limits.BudgetSpentMicroUsd} of {limits.BudgetMaxMicroUsd}; " +
                $"rate: admitted {limits.RateAdmitted} of {limits.RateAllowed:0} allowed ({limits.RateRatio:P1}), {limits.Other} other");
            return new GatewayReplicas(generator.Name, replicas.Count, options.Concurrency, startup, directResult, single, spread, noBudget, limits);
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    private static async Task<HttpLegResult> LegAsync(
        string name, IHttpLoadGenerator generator, IReadOnlyList<HttpLoadTarget> targets, BenchmarkOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        await progress.WriteLineAsync($"  {name}: warm-up {options.Warmup.TotalSeconds:0.#} s, then {options.Duration.TotalSeconds:0.#} s measured...");
        await WarmUpAsync(generator, targets, options, cancellationToken);
        var result = await generator.RunSpreadAsync(targets, options.Concurrency, options.Duration, cancellationToken);
        await progress.WriteLineAsync($"  {name}: {result.Throughput:0} req/s, p50 {result.P50:0.000} ms, p99 {result.P99:0.000} ms, " +
            $"{result.Non2xx} non-2xx, {result.Errors} error(s){(result.FirstError is null ? string.Empty : "; first: " + result.FirstError)}");
        return result;
    }

    private static async Task WarmUpAsync(IHttpLoadGenerator generator, IReadOnlyList<HttpLoadTarget> targets, BenchmarkOptions options, CancellationToken cancellationToken)
    {
        if (options.Warmup > TimeSpan.Zero)
        {
            await generator.RunSpreadAsync(targets, options.Concurrency, options.Warmup, cancellationToken);
        }
    }
}
