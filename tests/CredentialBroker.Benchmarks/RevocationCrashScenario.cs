using System.Diagnostics;
using CredentialBroker.Server.DevMode;
using CredentialBroker.Testing;
using CredentialBroker.V1;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Mass-revocation marking across a <c>kill -9</c>: two server processes on the benchmark database,
/// N seeded credentials, one RevokeMatching over all of them; when a quarter is marked, the process
/// holding the marker's lock is killed and started again under the same replica id. Measures what was
/// marked before the kill and how long the rest took, then checks every covered row is revoked, counted
/// and audited exactly once, while a poller sent the real key to both gateways throughout.
/// </summary>
internal static class RevocationCrashScenario
{
    private const string Label = "revocation-crash-bench";

    // RevocationMarker's pg_try_advisory_lock key (one marker at a time across replicas).
    private const long MarkerLockKey = 0x4342_5245_564D_524B;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    public static async Task<RevocationCrashResult> RunAsync(
        BrokerHost broker, string connectionString, BenchmarkOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var a = new ServerProcess("bench-marker-a", broker.ReplicaEnvironment);
        await using var b = new ServerProcess("bench-marker-b", broker.ReplicaEnvironment);
        await progress.WriteLineAsync("revocation-crash: starting two server processes...");
        var startup = Stopwatch.StartNew();
        await Task.WhenAll(a.StartAsync(StartTimeout, cancellationToken), b.StartAsync(StartTimeout, cancellationToken));
        var startupSeconds = startup.Elapsed.TotalSeconds;

        var issued = await new CredentialService.CredentialServiceClient(a.Channel).IssueCredentialAsync(
            new IssueCredentialRequest { Purpose = DevSeed.Purpose, Provider = DevSeed.Provider, Labels = { ["bench"] = Label } },
            broker.WorkloadAuth, cancellationToken: cancellationToken);
        await CredentialSeeder.SeedAsync(data, Guid.Parse(issued.Credential.Id), options.Credentials, expiring: null, "revocation-crash", progress, cancellationToken);

        var poller = new GatewayKeyPoller([a, b], issued.Secret);
        using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await progress.WriteLineAsync("revocation-crash: RevokeMatching over all of them through one process...");
        var revoked = await new RevocationService.RevocationServiceClient(a.Channel).RevokeMatchingAsync(
            new RevokeMatchingRequest { Selector = new Selector { Labels = { ["bench"] = Label } }, Reason = "benchmark: marking across kill -9" },
            broker.AdminAuth, cancellationToken: cancellationToken);
        var polling = poller.RunAsync(stopPolling.Token);
        var watermark = Guid.Parse(revoked.RevocationId);
        var sinceCall = Stopwatch.StartNew();

        // Kill the marking process once a quarter of the rows are marked (at least one batch).
        var killAt = Math.Max(1, revoked.MatchedCount / 4);
        string? holder = null;
        while (holder is null)
        {
            var (marked, done) = await ProgressAsync(data, watermark, cancellationToken);
            if (done || sinceCall.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new InvalidOperationException($"marking finished or stalled before the kill could land ({marked:N0} of {revoked.MatchedCount:N0} marked)");
            }

            holder = marked >= killAt ? await LockHolderAsync(data, cancellationToken) : null;
            await Task.Delay(holder is null ? 10 : 0, cancellationToken);
        }

        var victim = holder == a.Id ? a : b;
        victim.KillHard();
        var killedAfter = sinceCall.Elapsed.TotalSeconds;
        var sinceKill = Stopwatch.StartNew();
        await WaitForSessionsToEndAsync(data, victim.Id, cancellationToken);
        var (markedBeforeKill, _) = await ProgressAsync(data, watermark, cancellationToken);
        await progress.WriteLineAsync($"revocation-crash: killed {victim.Id} {killedAfter:0.00} s after the call, {markedBeforeKill:N0} of {revoked.MatchedCount:N0} marked; restarting it...");

        var restarting = RestartAsync(victim, cancellationToken);
        string? resumedBy = null;
        double? completedAfterKill = null;
        var nextReport = TimeSpan.Zero;
        while (sinceKill.Elapsed < TimeSpan.FromMinutes(15))
        {
            var (_, done) = await ProgressAsync(data, watermark, cancellationToken);
            if (done)
            {
                completedAfterKill = sinceKill.Elapsed.TotalSeconds;
                break;
            }

            var holderNow = await LockHolderAsync(data, cancellationToken);
            resumedBy ??= holderNow;
            if (sinceKill.Elapsed >= nextReport)
            {
                nextReport += TimeSpan.FromSeconds(5);
                var (marked, _) = await ProgressAsync(data, watermark, cancellationToken);
                await progress.WriteLineAsync($"  +{sinceKill.Elapsed.TotalSeconds:0} s: {marked:N0} marked, marker lock held by {holderNow ?? "nobody"}; " +
                    $"{victim.Id} {(restarting.IsCompleted ? "ready" : "starting (" + victim.LastProbe + ")")}");
            }

            await Task.Delay(50, cancellationToken);
        }

        var restartSeconds = await restarting;
        await poller.WaitForRefusalsAsync(victim.Id, 10, cancellationToken);
        await stopPolling.CancelAsync();
        await polling;

        return new RevocationCrashResult(
            options.Credentials + 1, revoked.MatchedCount, victim.Id, markedBeforeKill, killedAfter, startupSeconds, restartSeconds, resumedBy ?? "(not seen holding the lock)", completedAfterKill,
            await ScalarAsync(data, "SELECT marked_count FROM revocation_watermarks WHERE id = $1", watermark, cancellationToken),
            await ScalarAsync(data, "SELECT count(*) FROM credentials WHERE revocation_id = $1 AND status = 'revoked'", watermark, cancellationToken),
            await ScalarAsync(data, "SELECT count(*) FROM credentials WHERE labels @> jsonb_build_object('bench', $1::text) AND status <> 'revoked'", Label, cancellationToken),
            await ScalarAsync(data, "SELECT count(*) FROM audit_events WHERE action = 'revocation.marking_completed' AND target_id = $1", revoked.RevocationId, cancellationToken),
            poller);
    }

    /// <summary>Starts the killed process again; returns the seconds until it was ready.</summary>
    private static async Task<double> RestartAsync(ServerProcess victim, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await victim.StartAsync(StartTimeout, cancellationToken);
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<(long Marked, bool Done)> ProgressAsync(NpgsqlDataSource data, Guid watermark, CancellationToken cancellationToken)
    {
        await using var command = data.CreateCommand("SELECT marked_count, marking_completed_at IS NOT NULL FROM revocation_watermarks WHERE id = $1");
        command.Parameters.Add(new() { Value = watermark });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetBoolean(1));
    }

    /// <summary>The replica (PostgreSQL application name) whose session holds the marker's advisory lock, or null.</summary>
    private static async Task<string?> LockHolderAsync(NpgsqlDataSource data, CancellationToken cancellationToken)
    {
        await using var command = data.CreateCommand(
            """
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND (l.classid::bigint << 32) + l.objid::bigint = $1
            """);
        command.Parameters.Add(new() { Value = MarkerLockKey });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>A killed client's backends end when PostgreSQL notices the closed socket (a batch in flight finishes or rolls back first).</summary>
    private static async Task WaitForSessionsToEndAsync(NpgsqlDataSource data, string replica, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (await ScalarAsync(data, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", replica, cancellationToken) > 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource data, string sql, object parameter, CancellationToken cancellationToken)
    {
        await using var command = data.CreateCommand(sql);
        command.Parameters.Add(new() { Value = parameter });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
