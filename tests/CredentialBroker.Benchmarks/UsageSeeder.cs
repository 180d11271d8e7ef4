using System.Diagnostics;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Seeds a month of usage events the way the gateway writes them: binary COPY into usage_events
/// (so the roll-up statement trigger runs on every batch, exactly as in production), in
/// <see cref="Workers"/> connections at once, each owning a contiguous stretch of the month so
/// their roll-up upserts never touch the same hourly rows.
/// </summary>
internal static class UsageSeeder
{
    /// <summary>Parallel COPY connections (one per core of the benchmark machine; more only queue).</summary>
    public static readonly int Workers = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Events per COPY statement (one transaction, one trigger run).</summary>
    public const int BatchRows = 50_000;

    /// <summary>Writes <paramref name="events"/> calls spread over [start, end); returns the seconds it took.</summary>
    public static async Task<double> SeedAsync(
        NpgsqlDataSource data, UsageWorld world, DateTimeOffset start, DateTimeOffset end, long events, TextWriter progress, CancellationToken cancellationToken)
    {
        // Production has these months' partitions already (the maintenance job creates them ahead).
        for (var month = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero); month < end; month = month.AddMonths(1))
        {
            await using var partition = data.CreateCommand("SELECT usage_events_ensure_partition($1)");
            partition.Parameters.Add(new() { Value = month });
            await partition.ExecuteNonQueryAsync(cancellationToken);
        }

        var slots = Slots(start, end, events);
        var perWorker = (events + Workers - 1) / Workers;
        var written = 0L;
        var watch = Stopwatch.StartNew();
        using var report = new Timer(_ => progress.WriteLine($"usage: seeded {Interlocked.Read(ref written):N0} of {events:N0} events ({watch.Elapsed.TotalSeconds:0} s)"),
            null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
        var workers = Enumerable.Range(0, Workers).Select(w =>
        {
            // Contiguous slots holding this worker's share of the events.
            var first = w * perWorker;
            var mine = slots.Where(s => s.Before + s.Count > first && s.Before < first + perWorker).ToList();
            return Task.Run(() => WriteAsync(data, world, mine, first, Math.Min(events, first + perWorker), w, n => Interlocked.Add(ref written, n), cancellationToken));
        }).ToList();
        await Task.WhenAll(workers);
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task WriteAsync(
        NpgsqlDataSource data, UsageWorld world, List<Slot> slots, long from, long to, int worker, Action<long> done, CancellationToken cancellationToken)
    {
        var traffic = new UsageTraffic(world, 1000 + worker);
        var random = new Random(worker);
        await using var connection = await data.OpenConnectionAsync(cancellationToken);
        NpgsqlBinaryImporter? copy = null;
        var inBatch = 0;
        foreach (var slot in slots)
        {
            var lo = Math.Max(from, slot.Before);
            var hi = Math.Min(to, slot.Before + slot.Count);
            var length = slot.End - slot.Start;
            for (var i = lo; i < hi; i++)
            {
                copy ??= await connection.BeginBinaryImportAsync("COPY usage_events " + UsageTraffic.CopyColumns, cancellationToken);
                // Calls of one hour in time order, evenly spread with some jitter.
                var at = slot.Start + length * ((i - slot.Before + random.NextDouble()) / slot.Count);
                traffic.WriteRow(copy, at);
                if (++inBatch == BatchRows)
                {
                    await copy.CompleteAsync(cancellationToken);
                    await copy.DisposeAsync();
                    copy = null;
                    done(inBatch);
                    inBatch = 0;
                }
            }
        }

        if (copy is not null)
        {
            await copy.CompleteAsync(cancellationToken);
            await copy.DisposeAsync();
            done(inBatch);
        }
    }

    /// <summary>One slice of the range (an hour, or less at either end), its number of events and how many come before it.</summary>
    private sealed record Slot(DateTimeOffset Start, DateTimeOffset End, long Count, long Before);

    private static List<Slot> Slots(DateTimeOffset start, DateTimeOffset end, long events)
    {
        var bounds = new List<DateTimeOffset> { start };
        for (var hour = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, 0, 0, TimeSpan.Zero).AddHours(1); hour < end; hour = hour.AddHours(1))
        {
            bounds.Add(hour);
        }

        bounds.Add(end);
        var weights = bounds.Zip(bounds.Skip(1), (a, b) => UsageTraffic.HourWeight(a) * (b - a).TotalHours).ToArray();
        var total = weights.Sum();
        var slots = new List<Slot>();
        long before = 0;
        var sum = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            // Rounded on the running sum, so the counts add up to exactly the events asked for.
            sum += weights[i];
            var upTo = i == weights.Length - 1 ? events : (long)Math.Round(events * sum / total);
            slots.Add(new Slot(bounds[i], bounds[i + 1], upTo - before, before));
            before = upTo;
        }

        return slots;
    }
}
