using System.Diagnostics;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Seeds a month of synthetic traffic through the usage writer's path (<see cref="UsageSeeder"/>),
/// then times GetUsage over the month through the gRPC API for credentials, purposes and owners
/// against the raw aggregate over the same rows of usage_events, checks that both give the same
/// totals model by model, and finally measures what the roll-up trigger costs the usage writer.
/// </summary>
internal static class UsageQueryScenario
{
    public const int GetUsageWarmup = 2;
    public const int GetUsageMeasured = 50;
    public const int RawWarmup = 1;
    public const int RawMeasured = 3;

    public static async Task<UsageQueryResult> RunAsync(
        BrokerHost broker, string connectionString, BenchmarkOptions options, ResourceProbe probe, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var data = new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { CommandTimeout = 0 } }.Build();
        var world = await UsageWorld.CreateAsync(broker, data, cancellationToken);
        // The month up to now, not hour-aligned: GetUsage reads raw events for the partial hour at either end.
        var end = DateTimeOffset.UtcNow;
        var start = end.AddDays(-30);
        await progress.WriteLineAsync($"usage: seeding {options.UsageEvents:N0} events over 30 days, {UsageSeeder.Workers} COPY connections, {UsageSeeder.BatchRows:N0} per statement (roll-ups by trigger)...");
        var before = await probe.TakeAsync(cancellationToken);
        var seedSeconds = await UsageSeeder.SeedAsync(data, world, start, end, options.UsageEvents, progress, cancellationToken);
        var seedOther = UsageQueryReport.OtherCores((await probe.TakeAsync(cancellationToken)).Since(before), seedSeconds);
        await progress.WriteLineAsync($"usage: seeded in {seedSeconds:0.0} s ({options.UsageEvents / seedSeconds:0} events/s); analyzing...");
        await using (var analyze = data.CreateCommand("ANALYZE usage_events; ANALYZE usage_hourly"))
        {
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        var client = new UsageService.UsageServiceClient(broker.Channels[0]);
        var root = world.Credentials[0];
        var descendants = world.Credentials.Where(c => c.Depth > 0).Select(c => c.Id).Prepend(root.Id).ToArray();
        // Ids by traffic: the busiest credential (~12 % of all calls), a middling and a quiet one; its purpose and owner and two others.
        var targets = new (string Scope, string Column, Guid[][] Ids)[]
        {
            ("credential", "credential_id", [[root.Id], [world.Credentials[20].Id], [world.Credentials[1500].Id]]),
            ("credential + descendants", "credential_id", [descendants]),
            ("purpose", "purpose_id", world.Purposes.Where(p => p != root.PurposeId).Take(2).Prepend(root.PurposeId).Select(p => new[] { p }).ToArray()),
            ("owner", "owner_id", world.Owners.Where(o => o != root.OwnerId).Take(2).Prepend(root.OwnerId).Select(o => new[] { o }).ToArray()),
        };
        var scopes = new List<UsageScopeResult>();
        before = await probe.TakeAsync(cancellationToken);
        var queries = Stopwatch.StartNew();
        foreach (var (scope, column, ids) in targets)
        {
            await progress.WriteLineAsync($"usage: GetUsage and the raw scan, {scope} scope, {ids.Length} id(s)...");
            List<double> getUsage = [], raw = [];
            List<long> events = [];
            string? mismatch = null;
            foreach (var id in ids)
            {
                var request = new GetUsageRequest { StartTime = Timestamp.FromDateTimeOffset(start), EndTime = Timestamp.FromDateTimeOffset(end), IncludeDescendants = id.Length > 1 };
                _ = column switch { "credential_id" => request.CredentialId = id[0].ToString(), "purpose_id" => request.PurposeId = id[0].ToString(), _ => request.OwnerId = id[0].ToString() };
                GetUsageResponse response = null!;
                for (var i = 0; i < GetUsageWarmup + GetUsageMeasured; i++)
                {
                    var watch = Stopwatch.StartNew();
                    response = await client.GetUsageAsync(request, broker.AdminAuth, cancellationToken: cancellationToken);
                    if (i >= GetUsageWarmup)
                    {
                        getUsage.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }

                var expected = new Dictionary<string, (long, long, long, long, long, long)>();
                for (var i = 0; i < RawWarmup + RawMeasured; i++)
                {
                    var watch = Stopwatch.StartNew();
                    expected = await RawAsync(data, column, id, start, end, cancellationToken);
                    if (i >= RawWarmup)
                    {
                        raw.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }

                var actual = response.ByModel.ToDictionary(m => m.Model, m => (m.Totals.Requests, m.Totals.FailedRequests, m.Totals.InputTokens, m.Totals.CachedInputTokens, m.Totals.OutputTokens, m.Totals.CostMicroUsd));
                events.Add(expected.Values.Sum(t => t.Item1));
                if (actual.Count != expected.Count || actual.Any(a => !expected.TryGetValue(a.Key, out var e) || e != a.Value))
                {
                    mismatch ??= $"{id[0]}: GetUsage {string.Join(", ", actual)}; raw {string.Join(", ", expected)}";
                }
            }

            scopes.Add(new UsageScopeResult(scope, ids.Length, events.Min(), events.Max(), getUsage, raw, mismatch));
        }

        var queryOther = UsageQueryReport.OtherCores((await probe.TakeAsync(cancellationToken)).Since(before), queries.Elapsed.TotalSeconds);
        await progress.WriteLineAsync("usage: counting the month raw and summing GetUsage over every owner...");
        long ownersTotal = 0;
        foreach (var owner in world.Owners)
        {
            var request = new GetUsageRequest { OwnerId = owner.ToString(), StartTime = Timestamp.FromDateTimeOffset(start), EndTime = Timestamp.FromDateTimeOffset(end) };
            ownersTotal += (await client.GetUsageAsync(request, broker.AdminAuth, cancellationToken: cancellationToken)).Totals.Requests;
        }

        // The seeded owners only: other scenarios of the same run (the gateway's) write usage in this month too.
        await using var count = data.CreateCommand("SELECT count(*) FROM usage_events WHERE occurred_at >= $1 AND occurred_at < $2 AND owner_id = ANY($3)");
        count.Parameters.Add(new() { Value = start });
        count.Parameters.Add(new() { Value = end });
        count.Parameters.Add(new() { Value = world.Owners.ToArray() });
        var rangeEvents = (long)(await count.ExecuteScalarAsync(cancellationToken))!;

        // Last: its trigger adds the writer's batches to usage_hourly, which the checks above rely on.
        var writer = await UsageWriterCost.RunAsync(data, world, probe, options.Quick, progress, cancellationToken);
        return new UsageQueryResult(options.UsageEvents, world.Owners.Count, world.Purposes.Count, world.Credentials.Count, UsageSeeder.Workers, UsageSeeder.BatchRows,
            seedSeconds, seedOther, queryOther, rangeEvents, ownersTotal, scopes, writer);
    }

    /// <summary>What GetUsage computed before roll-ups: the aggregate over every event of the range, per model.</summary>
    private static async Task<Dictionary<string, (long, long, long, long, long, long)>> RawAsync(
        NpgsqlDataSource data, string column, Guid[] ids, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        await using var scan = data.CreateCommand(
            $"""
            SELECT model, count(*), count(*) FILTER (WHERE outcome <> 'success'), sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint,
                   sum(output_tokens)::bigint, sum(cost_micro_usd)::bigint
            FROM usage_events WHERE {column} = ANY($1) AND occurred_at >= $2 AND occurred_at < $3
            GROUP BY model
            """);
        scan.Parameters.Add(new() { Value = ids });
        scan.Parameters.Add(new() { Value = start });
        scan.Parameters.Add(new() { Value = end });
        var totals = new Dictionary<string, (long, long, long, long, long, long)>();
        await using var reader = await scan.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            totals[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
        }

        return totals;
    }
}
