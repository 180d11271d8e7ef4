namespace CredentialBroker.Benchmarks;

/// <summary>
/// The scenarios that need broker server processes rather than the in-process broker: marking across a
/// <c>kill -9</c>, and the gateway through several replicas. They run last, after the in-process broker
/// has stopped (it would otherwise be one more replica: a second marker, a share of every rate limit).
/// </summary>
internal static class ProcessScenarios
{
    public static async Task<ProcessResults> RunAsync(BrokerHost broker, string connectionString, BenchmarkOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var crash = options.Scenario is BenchmarkScenario.All or BenchmarkScenario.RevocationCrash;
        var replicas = options.Scenario is BenchmarkScenario.All or BenchmarkScenario.Gateway && options.Replicas > 1;
        if (!crash && !replicas)
        {
            return new ProcessResults(null, null);
        }

        await progress.WriteLineAsync("stopping the in-process broker (the simulated upstream stays): server processes take over the database...");
        await broker.StopServerAsync();
        var crashResult = crash ? await RevocationCrashScenario.RunAsync(broker, connectionString, options, progress, cancellationToken) : null;
        GatewayReplicas? replicasResult = null;
        if (replicas)
        {
            using var builtIn = new HttpClientLoadGenerator(options.Concurrency);
            var generator = WrkLoadGenerator.Find() as IHttpLoadGenerator ?? builtIn;
            replicasResult = await GatewayReplicasScenario.RunAsync(broker, connectionString, options, generator, progress, cancellationToken);
        }

        return new ProcessResults(crashResult, replicasResult);
    }
}
