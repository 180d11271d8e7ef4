using CredentialBroker.Server.DevMode;
using CredentialBroker.Server.Hosting;
using CredentialBroker.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>What the expiry-storm scenario measured. Times in seconds; null: did not happen within the scenario's limits.</summary>
internal sealed record ExpiryStormResult(
    long Seeded, double SeedSeconds, TimeSpan Interval, int BatchSize, TimeSpan Spread,
    double? SweptAfterLastExpiry, double? SweptAfterFirstExpiry, IReadOnlyList<(double StartedAfterFirstExpiry, ExpiryJobRun Run)> Runs,
    long Expired, long Audited, PhaseResult Baseline, PhaseResult DuringSweep, double RunningSeconds, long PeakRssBytes,
    long PeakUnsealed, long UnsealedWhenSwept, double? SealedAfterSwept)
{
    public bool Swept => SweptAfterLastExpiry is not null && Expired == Seeded && Audited == Seeded;
}

/// <summary>
/// Seeds N live credentials that all expire within one minute in the near future, measures issuance
/// alone, then lets them expire and waits for the broker's real Quartz expiry job (at its configured
/// interval) to mark them: how long after the last expiry every one is expired, the job's runs,
/// issuance while a run executes, peak memory, and how far the audit sealer falls behind.
/// </summary>
internal static class ExpiryStormScenario
{
    private const string Label = "expiry-storm-bench";
    private static readonly TimeSpan _poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan _limit = TimeSpan.FromMinutes(15);

    public static async Task<ExpiryStormResult> RunAsync(
        BrokerHost broker, string connectionString, BenchmarkOptions options, ResourceProbe probe, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        var settings = broker.Services.GetRequiredService<IOptions<BrokerOptions>>().Value;
        var watch = await ExpiryJobWatch.AttachAsync(broker.Services, cancellationToken);
        try
        {
            var credentials = new CredentialService.CredentialServiceClient(broker.Channels[0]);
            var template = await credentials.IssueCredentialAsync(
                new IssueCredentialRequest { Purpose = DevSeed.Purpose, Provider = DevSeed.Provider, Labels = { ["bench"] = Label } },
                broker.WorkloadAuth, cancellationToken: cancellationToken);

            // The storm starts after seeding (planned at 5,000 rows/s, a quarter of the rate measured on an idle
            // machine, so a busy one still makes it) and the longest the baseline can take.
            var baselineMax = options.WarmupPolicy.Maximum + options.Duration;
            var first = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(Math.Max(2, options.Credentials / 5_000.0)) + baselineMax + TimeSpan.FromSeconds(3);
            first = new DateTimeOffset(first.Ticks - (first.Ticks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond, TimeSpan.Zero);
            var last = first + options.StormSpread;
            var seedSeconds = await CredentialSeeder.SeedAsync(data, Guid.Parse(template.Credential.Id), options.Credentials, (first, options.StormSpread), "expiry", progress, cancellationToken);
            if (DateTimeOffset.UtcNow + baselineMax > first)
            {
                throw new InvalidOperationException($"seeding took {seedSeconds:0} s, so the storm planned for {first:HH:mm:ss} would begin during the issuance baseline; run on a quieter machine or with fewer --credentials");
            }

            await progress.WriteLineAsync("expiry: issuance baseline...");
            var baseline = await LoadRunner.RunAsync("issue-baseline", "IssueCredential before the expiry storm", IssuanceLoad.Callers(broker, options.Concurrency, cancellationToken),
                options.WarmupPolicy, options.Duration, probe, cancellationToken);
            var peakRss = ResourceProbe.ResidentBytes();
            await progress.WriteLineAsync($"expiry: {options.Credentials:N0} credentials expire from {first:HH:mm:ss} to {last:HH:mm:ss} UTC; " +
                $"the expiry job runs every {settings.ExpirySweepInterval.TotalSeconds:0.#} s; issuance meanwhile...");
            await Task.Delay(Max(TimeSpan.Zero, first - DateTimeOffset.UtcNow), cancellationToken);

            DateTimeOffset? swept = null;
            long peakUnsealed = 0;
            async Task UntilSweptAsync(CancellationToken token)
            {
                for (var poll = 0; DateTimeOffset.UtcNow - first < _limit; poll++)
                {
                    peakRss = Math.Max(peakRss, ResourceProbe.ResidentBytes());
                    if (poll % 8 == 0)
                    {
                        peakUnsealed = Math.Max(peakUnsealed, await UnsealedAsync(data, long.MaxValue, token));
                    }

                    if (poll % 40 == 0 && poll > 0)
                    {
                        var runs = watch.Runs.Where(r => r.Ended > first).ToList();
                        await progress.WriteLineAsync($"expiry: {(DateTimeOffset.UtcNow - first).TotalSeconds:0} s after the first expiry: {runs.Count} job run(s) ended, " +
                            $"{runs.Sum(r => r.Expired ?? 0):N0} expired; {peakUnsealed:N0} audit events unsealed at most");
                    }

                    if (DateTimeOffset.UtcNow >= last && !await AnyActiveAsync(data, first, last, token))
                    {
                        swept = DateTimeOffset.UtcNow;
                        return;
                    }

                    await Task.Delay(_poll, token);
                }
            }

            var during = await LoadRunner.RunAsync("issue-during-sweep", "IssueCredential while an expiry job run executes", IssuanceLoad.Callers(broker, options.Concurrency, cancellationToken),
                new Warmup(TimeSpan.Zero, TimeSpan.Zero), UntilSweptAsync, () => watch.Running, probe, cancellationToken);
            var end = swept ?? DateTimeOffset.UtcNow;

            await progress.WriteLineAsync(swept is { } s ? $"expiry: all expired {(s - last).TotalSeconds:0.0} s after the last expiry; waiting for the audit sealer..." : "expiry: not swept in time");
            var (unsealedWhenSwept, sealedAfter) = await WaitSealedAsync(data, cancellationToken);
            peakUnsealed = Math.Max(peakUnsealed, unsealedWhenSwept);
            var (expired, audited) = await CountAsync(data, first, last, cancellationToken);
            var runs = watch.Runs.Where(r => r.Ended > first && r.Started <= end).Select(r => ((r.Started - first).TotalSeconds, r)).ToList();
            return new ExpiryStormResult(options.Credentials, seedSeconds, settings.ExpirySweepInterval, settings.BatchSize, options.StormSpread,
                (swept - last)?.TotalSeconds, (swept - first)?.TotalSeconds, runs, expired, audited, baseline, during, watch.RunningSeconds(first, end), peakRss, peakUnsealed, unsealedWhenSwept, sealedAfter);
        }
        finally
        {
            watch.Detach();
        }
    }

    private static async Task<bool> AnyActiveAsync(NpgsqlDataSource data, DateTimeOffset first, DateTimeOffset last, CancellationToken cancellationToken)
    {
        await using var command = data.CreateCommand("SELECT EXISTS (SELECT 1 FROM credentials WHERE status = 'active' AND expires_at >= $1 AND expires_at <= $2)");
        command.Parameters.Add(new() { Value = first });
        command.Parameters.Add(new() { Value = last });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<long> UnsealedAsync(NpgsqlDataSource data, long upToId, CancellationToken cancellationToken)
    {
        await using var command = data.CreateCommand("SELECT count(*) FROM audit_events WHERE seq IS NULL AND id <= $1");
        command.Parameters.Add(new() { Value = upToId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Unsealed events when the sweep was done, and seconds until every event written by then was sealed.</summary>
    private static async Task<(long Unsealed, double? SealedAfter)> WaitSealedAsync(NpgsqlDataSource data, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        await using var head = data.CreateCommand("SELECT coalesce(max(id), 0) FROM audit_events");
        var upTo = (long)(await head.ExecuteScalarAsync(cancellationToken))!;
        var unsealed = await UnsealedAsync(data, upTo, cancellationToken);
        for (var left = unsealed; DateTimeOffset.UtcNow - started < _limit; left = await UnsealedAsync(data, upTo, cancellationToken))
        {
            if (left == 0)
            {
                return (unsealed, (DateTimeOffset.UtcNow - started).TotalSeconds);
            }

            await Task.Delay(_poll, cancellationToken);
        }

        return (unsealed, null);
    }

    /// <summary>
    /// Seeded credentials now expired, and the expiry audit events about them. Only the seeded copies count: in
    /// a run of every scenario, credentials issued earlier with the default TTL may expire in the same window.
    /// </summary>
    private static async Task<(long Expired, long Audited)> CountAsync(NpgsqlDataSource data, DateTimeOffset first, DateTimeOffset last, CancellationToken cancellationToken)
    {
        await using var command = data.CreateCommand(
            """
            WITH seeded AS (
                SELECT id, status, revocation_reason FROM credentials
                WHERE labels @> $3 AND prefix LIKE 'cbk_seed%' AND expires_at >= $1 AND expires_at <= $2)
            SELECT (SELECT count(*) FROM seeded WHERE status = 'expired' AND revocation_reason = 'expired'),
                   (SELECT count(*) FROM audit_events a JOIN seeded s ON a.target_id = s.id::text
                    WHERE a.action = 'credential.expired' AND a.occurred_at >= $1)
            """);
        command.CommandTimeout = 0;
        command.Parameters.Add(new() { Value = first });
        command.Parameters.Add(new() { Value = last });
        command.Parameters.Add(new() { Value = $$"""{"bench":"{{Label}}"}""", NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
