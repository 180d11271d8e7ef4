using System.Runtime.InteropServices;
using CredentialBroker.LocalPostgres;
using CredentialBroker.V1;
using Grpc.Health.V1;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// The benchmark: one durable throwaway PostgreSQL, the real broker in this process, three phases
/// and the gateway scenario measured one after another in the same run so their figures can be compared.
/// </summary>
internal static class BenchmarkCommand
{
    public const string RawPhase = "raw-insert";
    public const string NoopPhase = "grpc-noop";
    public const string IssuePhase = "issue";

    private const string BrokerDatabase = "broker_bench";
    private const string RawDatabase = "raw_bench";

    /// <summary>Runs the benchmark; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter progress)
    {
        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await progress.WriteLineAsync($"credentialbroker-bench: {ex.Message}\n\n{BenchmarkOptions.Usage}");
            return 2;
        }

        if (options.Help)
        {
            await output.WriteLineAsync(BenchmarkOptions.Usage);
            return 0;
        }

        // Ctrl+C and SIGTERM end the run through cancellation, so PostgreSQL is always stopped and deleted.
        using var interrupted = new CancellationTokenSource();
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted.Cancel();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        try
        {
            var (machine, phases, profile, gateway, usage, revocation, expiry, processes) = await MeasureAsync(options, progress, interrupted.Token);
            var commandLine = "dotnet run -c Release --project tests/CredentialBroker.Benchmarks --" + (args.Length == 0 ? string.Empty : " " + string.Join(' ', args));
            MarkdownReport.Write(output, machine, options, commandLine, phases, profile);
            if (gateway is not null)
            {
                GatewayReport.Write(output, options, gateway);
            }

            if (processes.Replicas is { } replicas)
            {
                GatewayReplicasReport.Write(output, options, replicas);
                if (!replicas.Clean)
                {
                    await progress.WriteLineAsync($"credentialbroker-bench: gateway through {replicas.Replicas} processes: legs clean {replicas.Direct.Clean}/{replicas.Single.Clean}/{replicas.Spread.Clean}/{replicas.SpreadNoBudget.Clean} " +
                        $"(first: {replicas.Direct.FirstError ?? replicas.Single.FirstError ?? replicas.Spread.FirstError ?? replicas.SpreadNoBudget.FirstError ?? "none"}), budget held {replicas.Limits.BudgetHeld}, rate limit held {replicas.Limits.RateHeld}; other: {replicas.Limits.FirstOther ?? "none"}");
                }
            }

            if (revocation is not null)
            {
                MassRevocationReport.Write(output, revocation);
                if (!revocation.Enforced || revocation.Baseline.Errors > 0 || revocation.DuringMarking.Errors > 0)
                {
                    await progress.WriteLineAsync($"credentialbroker-bench: mass revocation: enforced {revocation.Enforced}, matched {revocation.Matched}, issuance errors {revocation.Baseline.Errors}/{revocation.DuringMarking.Errors}; first: {revocation.Baseline.FirstError ?? revocation.DuringMarking.FirstError ?? "none"}");
                }
            }

            if (expiry is not null)
            {
                ExpiryStormReport.Write(output, machine, expiry);
                if (!expiry.Swept || expiry.SealedAfterSwept is null || expiry.Baseline.Errors > 0 || expiry.DuringSweep.Errors > 0)
                {
                    await progress.WriteLineAsync($"credentialbroker-bench: expiry storm: {expiry.Expired} of {expiry.Seeded} expired, {expiry.Audited} audited, swept {expiry.SweptAfterLastExpiry?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}, " +
                        $"sealed {(expiry.SealedAfterSwept is null ? "never" : "yes")}, issuance errors {expiry.Baseline.Errors}/{expiry.DuringSweep.Errors}; first: {expiry.Baseline.FirstError ?? expiry.DuringSweep.FirstError ?? "none"}");
                }
            }

            if (processes.Crash is { } crash)
            {
                RevocationCrashReport.Write(output, crash);
                if (!crash.Correct)
                {
                    await progress.WriteLineAsync($"credentialbroker-bench: marking after kill -9: {crash.Problems}");
                }
            }

            if (usage is not null)
            {
                UsageQueryReport.Write(output, usage);
                if (!usage.Match)
                {
                    await progress.WriteLineAsync($"credentialbroker-bench: usage totals differ: {usage.Mismatch}");
                }
            }

            foreach (var failed in phases.Where(p => p.Errors > 0 || p.Completed == 0))
            {
                await progress.WriteLineAsync($"credentialbroker-bench: phase {failed.Name} had {failed.Errors} error(s) and {failed.Completed} measured operation(s); first error: {failed.FirstError ?? "none"}");
            }

            foreach (var (leg, result) in new[] { ("direct", gateway?.Direct), ("gateway", gateway?.Gateway) })
            {
                if (result is { Clean: false })
                {
                    await progress.WriteLineAsync($"credentialbroker-bench: gateway scenario leg {leg} had {result.Non2xx} non-2xx response(s), {result.Errors} error(s) and {result.Requests} response(s); first: {result.FirstError ?? "none"}");
                }
            }

            return phases.Any(p => p.Errors > 0 || p.Completed == 0) || gateway is { Clean: false } || usage is { Match: false }
                || revocation is { Enforced: false } || revocation is { Baseline.Errors: > 0 } || revocation is { DuringMarking.Errors: > 0 }
                || expiry is { Swept: false } or { SealedAfterSwept: null } or { Baseline.Errors: > 0 } or { DuringSweep.Errors: > 0 }
                || processes.Crash is { Correct: false } || processes.Replicas is { Clean: false } ? 1 : 0;
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            await progress.WriteLineAsync("credentialbroker-bench: interrupted");
            return 130;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Calls inside a phase never throw out of it, so this is set-up: PostgreSQL, the broker or seeding.
            await progress.WriteLineAsync($"credentialbroker-bench: could not set up the run: {ex}");
            return 2;
        }
    }

    private static async Task<(MachineInfo, List<PhaseResult>, SqlProfile?, GatewayOverhead?, UsageQueryResult?, MassRevocationResult?, ExpiryStormResult?, ProcessResults)> MeasureAsync(BenchmarkOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        await progress.WriteLineAsync("starting a throwaway durable PostgreSQL (fsync and synchronous_commit on)...");
        await using var postgres = await LocalPostgres.LocalPostgres.StartAsync(new LocalPostgresOptions
        {
            Durable = true,
            Database = BrokerDatabase,
            Settings = options.SqlProfile ? SqlProfiler.ServerSettings : new Dictionary<string, string>(),
            Log = line => progress.WriteLine("  " + line),
        }, cancellationToken);

        var rawConnectionString = await postgres.CreateDatabaseAsync(RawDatabase, cancellationToken);
        await using var raw = new NpgsqlDataSourceBuilder(rawConnectionString)
        {
            ConnectionStringBuilder = { MaxPoolSize = options.Concurrency + 4 },
        }.Build();
        var probe = await ResourceProbe.CreateAsync(raw, cancellationToken);
        var machine = await MachineInfo.ReadAsync(raw, cancellationToken);

        await progress.WriteLineAsync("starting the broker (migrations, Kestrel) and seeding owner, workload, provider, purpose, grant, token...");
        var brokerSettings = new Dictionary<string, string?>();
        if (options.ExpirySweepInterval is { } expiryInterval)
        {
            brokerSettings["Broker:ExpirySweepInterval"] = expiryInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        await using var broker = await BrokerHost.StartAsync(postgres.ConnectionString, options.Channels, brokerSettings, cancellationToken);

        var phases = new List<PhaseResult>();
        SqlProfile? profile = null;
        if (options.Scenario is BenchmarkScenario.All or BenchmarkScenario.Issue)
        {
            profile = await MeasureIssuanceAsync(broker, raw, options, probe, phases, progress, cancellationToken);
        }

        GatewayOverhead? gateway = null;
        if (options.Scenario is BenchmarkScenario.All or BenchmarkScenario.Gateway)
        {
            gateway = await GatewayOverheadScenario.RunAsync(broker, options, progress, cancellationToken);
        }

        UsageQueryResult? usage = null;
        if (options.Scenario is BenchmarkScenario.All or BenchmarkScenario.Usage)
        {
            usage = await UsageQueryScenario.RunAsync(broker, postgres.ConnectionString, options, probe, progress, cancellationToken);
        }

        MassRevocationResult? revocation = null;
        if (options.Scenario is BenchmarkScenario.All or BenchmarkScenario.Revocation)
        {
            revocation = await MassRevocationScenario.RunAsync(broker, postgres.ConnectionString, options, probe, progress, cancellationToken);
        }

        ExpiryStormResult? expiry = null;
        if (options.Scenario is BenchmarkScenario.All or BenchmarkScenario.Expiry)
        {
            expiry = await ExpiryStormScenario.RunAsync(broker, postgres.ConnectionString, options, probe, progress, cancellationToken);
        }

        var processes = await ProcessScenarios.RunAsync(broker, postgres.ConnectionString, options, progress, cancellationToken);
        await progress.WriteLineAsync("stopping the broker and PostgreSQL...");
        return (machine, phases, profile, gateway, usage, revocation, expiry, processes);
    }

    private static async Task<SqlProfile?> MeasureIssuanceAsync(
        BrokerHost broker, NpgsqlDataSource raw, BenchmarkOptions options, ResourceProbe probe, List<PhaseResult> phases, TextWriter progress, CancellationToken cancellationToken)
    {
        await using (var rawPhase = await RawInsertPhase.CreateAsync(raw, options.Concurrency, TimeProvider.System, cancellationToken))
        {
            phases.Add(await RunPhaseAsync(RawPhase, RawInsertPhase.Description, rawPhase.Callers, options, probe, progress, cancellationToken));
        }

        phases.Add(await RunPhaseAsync(NoopPhase, $"grpc.health.v1.Health/Check (no auth, no I/O) over {options.Channels} HTTP/2 channel(s)",
            NoopCallers(broker, options.Concurrency, cancellationToken), options, probe, progress, cancellationToken));
        phases.Add(await RunPhaseAsync(IssuePhase, $"CredentialService/IssueCredential, workload token, over {options.Channels} HTTP/2 channel(s)",
            IssuanceLoad.Callers(broker, options.Concurrency, cancellationToken), options, probe, progress, cancellationToken));

        SqlProfile? profile = null;
        if (options.SqlProfile)
        {
            using var profiler = new SqlProfiler(raw, BrokerDatabase, RawDatabase);
            await progress.WriteLineAsync($"profiling SQL of IssueCredential for {options.Duration.TotalSeconds:0} s...");
            await profiler.StartAsync(cancellationToken);
            var pass = await LoadRunner.RunAsync(IssuePhase, "profile", IssuanceLoad.Callers(broker, options.Concurrency, cancellationToken),
                new Warmup(TimeSpan.Zero, TimeSpan.Zero), options.Duration, probe, cancellationToken);
            profile = await profiler.StopAsync(pass.Succeeded, cancellationToken);
        }

        return profile;
    }

    private static async Task<PhaseResult> RunPhaseAsync(
        string name, string description, IReadOnlyList<Func<Task>> callers, BenchmarkOptions options, ResourceProbe probe, TextWriter progress, CancellationToken cancellationToken)
    {
        await progress.WriteLineAsync($"phase {name}: {callers.Count} callers, warm-up {options.WarmupPolicy.Minimum.TotalSeconds:0.#}-{options.WarmupPolicy.Maximum.TotalSeconds:0.#} s, then {options.Duration.TotalSeconds:0.#} s measured...");
        var result = await LoadRunner.RunAsync(name, description, callers, options.WarmupPolicy, options.Duration, probe, cancellationToken);
        await progress.WriteLineAsync($"  warmed up {result.WarmupSeconds:0.0} s; {result.Throughput:0} ops/s, p99 {result.P99:0.00} ms, {result.Errors} error(s)");
        return result;
    }

    private static List<Func<Task>> NoopCallers(BrokerHost broker, int count, CancellationToken cancellationToken) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var client = new Health.HealthClient(broker.Channels[i % broker.Channels.Count]);
            var request = new HealthCheckRequest();
            return (Func<Task>)(async () =>
            {
                var response = await client.CheckAsync(request, cancellationToken: cancellationToken);
                if (response.Status != HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    throw new InvalidOperationException($"health status {response.Status}");
                }
            });
        })];
}
