using System.Globalization;

namespace CredentialBroker.Benchmarks;

/// <summary>Command-line settings of one benchmark run.</summary>
internal sealed record BenchmarkOptions
{
    public const string Usage =
        """
        Usage: dotnet run -c Release --project tests/CredentialBroker.Benchmarks -- [options]

        Runs, side by side in one process, against one throwaway durable PostgreSQL:
          raw-insert  single-row autocommit INSERTs, one connection per caller
          grpc-noop   grpc.health.v1.Health/Check on the broker's gRPC endpoint
          issue       CredentialService/IssueCredential as a workload
          gateway     the same chat completion POSTed to the simulated upstream directly, then
                      through the broker's gateway (budgets, rate limits, metering on); with wrk
                      when it is on PATH, else a built-in HttpClient load loop
          usage       a month of usage events seeded through the usage writer's COPY (roll-up trigger on), then
                      GetUsage per credential, purpose and owner (hourly roll-ups) vs the raw scan it replaced,
                      and the usage writer's batches with the roll-up trigger vs without
          revocation  one RevokeMatching over N seeded credentials: time to enforcement at the gateway,
                      background marking, issuance p99 during marking vs before, peak memory
          expiry      an expiry storm: N seeded credentials expiring within one minute, swept by the real
                      expiry job (Quartz); time until all are expired, issuance p99 during the sweep vs
                      before, peak memory, audit sealing backlog
          revocation-crash
                      the same over another N credentials with two broker server processes; the one
                      marking is killed (kill -9) a quarter of the way and restarted: what was marked
                      before, how long the rest took, every row revoked, counted and audited once, and
                      the real key refused by both gateways throughout
        With --replicas 2 or more the gateway scenario adds, after the others (the in-process broker
        stopped), the same load through that many broker server processes on the database: direct,
        one process, spread over all of them; and a budget and a rate limit hit with the load spread.
        and prints Markdown tables (stdout). Progress goes to stderr.

        Options:
          --duration <s>      measured seconds per phase (default 20; --quick: 3)
          --warmup <s>        unmeasured seconds before each phase (default 5; --quick: 1)
          --max-warmup <s>    keep warming up past --warmup while the JIT still compiles more than
                              50 methods/s, up to this many seconds (default 60; --quick: no extension)
          --concurrency <n>   concurrent callers per phase, 1-200 (default 64; --quick: 16)
          --channels <n>      gRPC channels (HTTP/2 connections) shared by the callers (default 1)
          --scenario <name>   all (default), issue (raw-insert, grpc-noop, issue), gateway, usage, revocation,
                              revocation-crash or expiry
          --replicas <n>      server processes for the gateway scenario's multi-replica legs, 1-5
                              (default 3 with --scenario all, else 1: none)
          --usage-events <n>  usage events seeded for the usage scenario (default 10000000; --quick: 100000)
          --credentials <n>   credentials seeded for the revocation and expiry scenarios (default 1000000; --quick: 20000)
          --expiry-interval <s>
                              the broker's Broker:ExpirySweepInterval (default: the broker's own, 30 s; --quick: 2);
                              with --quick the storm lasts 5 s instead of a minute
          --quick             short smoke run for CI; exits 1 on errors or zero throughput
          --sql-profile       load pg_stat_statements and add an issuance pass that reports the
                              SQL statements and Npgsql round trips per issuance
          --help              this text

        Exit codes: 0 every phase ran without errors, 1 a phase had errors (or non-2xx responses) or no throughput,
        or a scenario's check failed (revocation not enforced, usage totals differ, expiry storm left a
        credential unexpired, an expiry unaudited or audit events unsealed for 15 minutes),
        2 bad arguments or the broker/PostgreSQL could not start, 130 interrupted (Ctrl+C, SIGTERM).
        PostgreSQL is stopped and its data deleted in every case.
        """;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxWarmup { get; init; } = TimeSpan.FromSeconds(60);

    public int Concurrency { get; init; } = 64;

    public int Channels { get; init; } = 1;

    public BenchmarkScenario Scenario { get; init; } = BenchmarkScenario.All;

    public bool Quick { get; init; }

    public long UsageEvents { get; init; } = 10_000_000;

    public long Credentials { get; init; } = 1_000_000;

    /// <summary>Broker:ExpirySweepInterval for the broker under test; null: the broker's default.</summary>
    public TimeSpan? ExpirySweepInterval { get; init; }

    /// <summary>The window the expiry storm's credentials expire in.</summary>
    public TimeSpan StormSpread { get; init; } = TimeSpan.FromMinutes(1);

    public bool SqlProfile { get; init; }

    /// <summary>--replicas as given, or null.</summary>
    public int? ReplicasOption { get; init; }

    /// <summary>Server processes for the gateway's multi-replica legs; 1 means none run.</summary>
    public int Replicas => ReplicasOption ?? (Scenario == BenchmarkScenario.All ? 3 : 1);

    public bool Help { get; init; }

    /// <summary>The warm-up policy of every phase.</summary>
    public Warmup WarmupPolicy => new(Warmup, Warmup > MaxWarmup ? Warmup : MaxWarmup);

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        var options = quick
            ? new BenchmarkOptions { Quick = true, Duration = TimeSpan.FromSeconds(3), Warmup = TimeSpan.FromSeconds(1), MaxWarmup = TimeSpan.Zero, Concurrency = 16, UsageEvents = 100_000, Credentials = 20_000,
                ExpirySweepInterval = TimeSpan.FromSeconds(2), StormSpread = TimeSpan.FromSeconds(5) }
            : new BenchmarkOptions();

        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");

            options = args[i] switch
            {
                "--quick" => options,
                "--sql-profile" => options with { SqlProfile = true },
                "--help" or "-h" => options with { Help = true },
                "--duration" => options with { Duration = Seconds("--duration", Value(), min: 1) },
                "--warmup" => options with { Warmup = Seconds("--warmup", Value(), min: 0) },
                "--max-warmup" => options with { MaxWarmup = Seconds("--max-warmup", Value(), min: 0) },
                // The raw phase holds one PostgreSQL connection per caller; the server allows 300 in all.
                "--concurrency" => options with { Concurrency = Count("--concurrency", Value(), max: 200) },
                "--channels" => options with { Channels = Count("--channels", Value(), max: 64) },
                "--scenario" => options with { Scenario = ScenarioNamed(Value()) },
                "--usage-events" => options with { UsageEvents = Count("--usage-events", Value(), max: 100_000_000) },
                "--replicas" => options with { ReplicasOption = Count("--replicas", Value(), max: 5) },
                "--credentials" => options with { Credentials = Count("--credentials", Value(), max: 10_000_000) },
                "--expiry-interval" => options with { ExpirySweepInterval = Seconds("--expiry-interval", Value(), min: 1) },
                var unknown => throw new ArgumentException($"Unknown option '{unknown}'."),
            };
        }

        return options;
    }

    private static BenchmarkScenario ScenarioNamed(string value) => value switch
    {
        "all" => BenchmarkScenario.All,
        "issue" => BenchmarkScenario.Issue,
        "gateway" => BenchmarkScenario.Gateway,
        "usage" => BenchmarkScenario.Usage,
        "revocation" => BenchmarkScenario.Revocation,
        "expiry" => BenchmarkScenario.Expiry,
        "revocation-crash" => BenchmarkScenario.RevocationCrash,
        _ => throw new ArgumentException($"--scenario must be all, issue, gateway, usage, revocation, revocation-crash or expiry, not '{value}'."),
    };

    private static TimeSpan Seconds(string name, string value, double min) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= min && s <= 3600
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"{name} must be a number of seconds from {min} to 3600, not '{value}'.");

    private static int Count(string name, string value, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
            ? n
            : throw new ArgumentException($"{name} must be a whole number from 1 to {max}, not '{value}'.");
}
