using System.Diagnostics;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>What the usage scenario measured: GetUsage (roll-ups) against the raw scan it replaced, on the same data.</summary>
internal sealed record UsageQueryResult(long Events, int Credentials, double SeedSeconds, double[] GetUsageMs, double[] RawScanMs, bool Match, string? Mismatch)
{
    public double GetUsageP50 => Percentile(GetUsageMs, 0.5);

    public double GetUsageMax => GetUsageMs.Max();

    public double RawP50 => Percentile(RawScanMs, 0.5);

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];
    }
}

/// <summary>
/// Seeds a month of synthetic usage events for one owner (through the real table, so the roll-up
/// trigger runs), then times GetUsage for the owner over the month against the raw aggregate query
/// over the same rows, and checks that both give the same totals.
/// </summary>
internal static class UsageQueryScenario
{
    private const int Credentials = 1000;
    private const int Chunk = 1_000_000;

    public static async Task<UsageQueryResult> RunAsync(BrokerHost broker, string connectionString, BenchmarkOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        var end = DateTimeOffset.UtcNow;
        var start = end.AddDays(-30);
        var ownerId = Guid.Parse(broker.OwnerId);
        var seed = Stopwatch.StartNew();
        for (long done = 0; done < options.UsageEvents; done += Chunk)
        {
            var count = Math.Min(Chunk, options.UsageEvents - done);
            await progress.WriteLineAsync($"usage: inserting events {done + 1:N0}-{done + count:N0} of {options.UsageEvents:N0} (roll-ups by trigger)...");
            await using var insert = data.CreateCommand(
                """
                INSERT INTO usage_events (occurred_at, credential_id, owner_id, purpose_id, workload_id, provider_name, endpoint, model, status_code,
                    outcome, streamed, input_tokens, cached_input_tokens, output_tokens, cost_micro_usd, usage_source, latency_ms, caller_identity, call_depth)
                SELECT $1 + (($2 - $1) * random()), ('00000000-0000-0000-0000-' || lpad((i % $5)::text, 12, '0'))::uuid, $3, $3, $3, 'openai', 'chat.completions',
                       CASE WHEN i % 4 = 0 THEN 'gpt-4o' ELSE 'gpt-4o-mini' END, 200, CASE WHEN i % 50 = 0 THEN 'upstream_error' ELSE 'success' END,
                       false, 500 + i % 300, i % 100, 50 + i % 200, 100 + i % 900, 'reported', 40, NULL, 0
                FROM generate_series(1, $4) AS i
                """);
            insert.CommandTimeout = 0;
            insert.Parameters.Add(new() { Value = start });
            insert.Parameters.Add(new() { Value = end });
            insert.Parameters.Add(new() { Value = ownerId });
            insert.Parameters.Add(new() { Value = count });
            insert.Parameters.Add(new() { Value = Credentials });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        seed.Stop();
        await using (var analyze = data.CreateCommand("ANALYZE usage_events; ANALYZE usage_hourly"))
        {
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        var client = new UsageService.UsageServiceClient(broker.Channels[0]);
        var request = new GetUsageRequest { OwnerId = broker.OwnerId, StartTime = Timestamp.FromDateTimeOffset(start), EndTime = Timestamp.FromDateTimeOffset(end.AddMinutes(1)) };
        GetUsageResponse? response = null;
        var getUsage = new List<double>();
        for (var i = 0; i < 23; i++)
        {
            var watch = Stopwatch.StartNew();
            response = await client.GetUsageAsync(request, broker.AdminAuth, cancellationToken: cancellationToken);
            if (i >= 3)
            {
                getUsage.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        await progress.WriteLineAsync("usage: timing the raw aggregate over the same rows...");
        var raw = new List<double>();
        (long Requests, long Cost) rawTotals = default;
        for (var i = 0; i < 4; i++)
        {
            var watch = Stopwatch.StartNew();
            await using var scan = data.CreateCommand(
                "SELECT count(*), sum(cost_micro_usd)::bigint FROM usage_events WHERE owner_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY owner_id");
            scan.CommandTimeout = 0;
            scan.Parameters.Add(new() { Value = ownerId });
            scan.Parameters.Add(new() { Value = start });
            scan.Parameters.Add(new() { Value = end.AddMinutes(1) });
            await using var reader = await scan.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            rawTotals = (reader.GetInt64(0), reader.GetInt64(1));
            if (i >= 1)
            {
                raw.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        var totals = response!.Totals;
        // The owner may also have usage from an earlier scenario of the same run (the gateway's), so the
        // seeded events are a lower bound; GetUsage and the raw scan must agree exactly.
        var match = totals.Requests == rawTotals.Requests && totals.CostMicroUsd == rawTotals.Cost && totals.Requests >= options.UsageEvents;
        return new UsageQueryResult(options.UsageEvents, Credentials, seed.Elapsed.TotalSeconds, [.. getUsage], [.. raw], match,
            match ? null : $"GetUsage {totals.Requests} calls / {totals.CostMicroUsd} micro-USD, raw {rawTotals.Requests} / {rawTotals.Cost}, seeded {options.UsageEvents}");
    }
}
