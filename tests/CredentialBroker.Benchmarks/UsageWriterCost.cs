using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// What the roll-up trigger costs the gateway's usage writer: the writer's transaction (BEGIN, binary
/// COPY of a batch, COMMIT; durable) into two fresh tables made like usage_events (same partitioning,
/// columns and indexes), one with the production trigger (which upserts into the real, populated
/// usage_hourly) and one without, batch by batch alternately so both see the same machine.
/// </summary>
internal static class UsageWriterCost
{
    private const string With = "usage_writer_bench_trigger";
    private const string Without = "usage_writer_bench_plain";

    /// <summary>Batch sizes the writer really commits: a full batch under load (Broker:Gateway:UsageBatchSize, 1000) and what ~20 ms collect at light load.</summary>
    public static readonly int[] BatchSizes = [1000, 10];

    public static async Task<List<UsageWriterLeg>> RunAsync(
        NpgsqlDataSource data, UsageWorld world, ResourceProbe probe, bool quick, TextWriter progress, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var table in new[] { With, Without })
        {
            await ExecuteAsync(data, string.Format(CultureInfo.InvariantCulture,
                """
                DROP TABLE IF EXISTS {0};
                CREATE TABLE {0} (LIKE usage_events INCLUDING ALL) PARTITION BY RANGE (occurred_at);
                CREATE TABLE {0}_month PARTITION OF {0} FOR VALUES FROM ('{1:O}') TO ('{2:O}');
                CREATE TABLE {0}_default PARTITION OF {0} DEFAULT;
                """, table, month, month.AddMonths(1)), cancellationToken);
        }

        await ExecuteAsync(data, $"CREATE TRIGGER usage_events_roll_up AFTER INSERT ON {With} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_hourly_add()", cancellationToken);
        await using (var indexes = data.CreateCommand("SELECT count(*) FILTER (WHERE tablename = 'usage_events'), count(*) FILTER (WHERE tablename = $1), count(*) FILTER (WHERE tablename = $2) FROM pg_indexes"))
        {
            indexes.Parameters.Add(new() { Value = With });
            indexes.Parameters.Add(new() { Value = Without });
            await using var reader = await indexes.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(1) != reader.GetInt64(0) || reader.GetInt64(2) != reader.GetInt64(0))
            {
                throw new InvalidOperationException($"the writer's bench tables did not get usage_events' {reader.GetInt64(0)} indexes");
            }
        }

        var legs = new List<UsageWriterLeg>();
        foreach (var size in BatchSizes)
        {
            var batches = (quick ? 10_000 : 200_000) / size;
            batches = Math.Min(batches, quick ? 100 : 1000);
            await progress.WriteLineAsync($"usage: writer cost, {batches} batches of {size} into each table, alternately...");
            // Both tables get the same rows (same seed), a call every few milliseconds up to now.
            var withTraffic = new UsageTraffic(world, size);
            var withoutTraffic = new UsageTraffic(world, size);
            var times = new double[2];
            var before = await probe.TakeAsync(cancellationToken);
            var watch = Stopwatch.StartNew();
            for (var b = 0; b < batches; b++)
            {
                var at = now.AddMilliseconds(-5.0 * (batches - b) * size);
                // Who goes first alternates, so neither always finds the other's pages warm.
                foreach (var leg in b % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                {
                    times[leg] += await WriteBatchAsync(data, leg == 0 ? With : Without, leg == 0 ? withTraffic : withoutTraffic, at, size, cancellationToken);
                }
            }

            var usage = (await probe.TakeAsync(cancellationToken)).Since(before);
            legs.Add(new UsageWriterLeg(size, batches, times[0], times[1], UsageQueryReport.OtherCores(usage, watch.Elapsed.TotalSeconds)));
        }

        await ExecuteAsync(data, $"DROP TABLE {With}; DROP TABLE {Without}", cancellationToken);
        return legs;
    }

    /// <summary>The writer's transaction for one batch; returns its seconds.</summary>
    private static async Task<double> WriteBatchAsync(NpgsqlDataSource data, string table, UsageTraffic traffic, DateTimeOffset at, int size, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = await data.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {table} {UsageTraffic.CopyColumns}", cancellationToken))
        {
            for (var i = 0; i < size; i++)
            {
                traffic.WriteRow(copy, at.AddMilliseconds(5.0 * i));
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource data, string sql, CancellationToken cancellationToken)
    {
        await using var command = data.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
