using System.Diagnostics;
using System.Runtime;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Closed-loop load: each caller starts its next call when the previous one ends. Calls run through
/// a warm-up, then a measured window; a call counts (throughput and latency) when it ends inside the window.
/// </summary>
internal static class LoadRunner
{
    // On two busy cores the tiered JIT needs many seconds to re-compile a deep call path (Kestrel,
    // gRPC, EF Core, Npgsql) at full optimisation; measuring before it is done measures the JIT.
    public const int QuietJitMethodsPerSecond = 50;

    /// <summary>Runs one call delegate per caller; errors are counted over the whole phase, warm-up included.</summary>
    public static Task<PhaseResult> RunAsync(
        string name,
        string description,
        IReadOnlyList<Func<Task>> callers,
        Warmup warmup,
        TimeSpan duration,
        ResourceProbe probe,
        CancellationToken cancellationToken) =>
        RunAsync(name, description, callers, warmup, token => Task.Delay(duration, token), counts: null, probe, cancellationToken);

    /// <summary>
    /// Runs one call delegate per caller; the measured window lasts until <paramref name="window"/> completes,
    /// and a call ending in it counts only when <paramref name="counts"/> (if any) says so at that moment.
    /// </summary>
    public static async Task<PhaseResult> RunAsync(
        string name,
        string description,
        IReadOnlyList<Func<Task>> callers,
        Warmup warmup,
        Func<CancellationToken, Task> window,
        Func<bool>? counts,
        ResourceProbe probe,
        CancellationToken cancellationToken)
    {
        var phaseStart = Stopwatch.GetTimestamp();
        long measureFrom = long.MaxValue;
        long measureTo = long.MaxValue;
        var latencies = new List<long>[callers.Count];
        var succeeded = new long[callers.Count];
        var stop = 0;
        long errors = 0;
        string? firstError = null;

        async Task CallerAsync(int index)
        {
            var mine = latencies[index] = new List<long>(16 * 1024);
            var call = callers[index];
            while (Volatile.Read(ref stop) == 0)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await call();
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                    continue;
                }

                var ended = Stopwatch.GetTimestamp();
                succeeded[index]++;
                if (ended >= Volatile.Read(ref measureFrom) && ended <= Volatile.Read(ref measureTo) && (counts is null || counts()))
                {
                    mine.Add(ended - started);
                }
            }
        }

        var workers = Enumerable.Range(0, callers.Count).Select(i => Task.Run(() => CallerAsync(i), CancellationToken.None)).ToArray();
        ResourceUsage usage;
        try
        {
            await WarmUpAsync(warmup, cancellationToken);
            var before = await probe.TakeAsync(cancellationToken);
            Volatile.Write(ref measureFrom, Stopwatch.GetTimestamp());
            await window(cancellationToken);
            Volatile.Write(ref measureTo, Stopwatch.GetTimestamp());
            var after = await probe.TakeAsync(cancellationToken);
            usage = after.Since(before);
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            await Task.WhenAll(workers);
        }

        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new PhaseResult(
            name,
            description,
            callers.Count,
            (measureFrom - phaseStart) / (double)Stopwatch.Frequency,
            (measureTo - measureFrom) / (double)Stopwatch.Frequency,
            all.Length,
            succeeded.Sum(),
            errors,
            firstError,
            Percentile(all, 0.50),
            Percentile(all, 0.90),
            Percentile(all, 0.99),
            all.Length == 0 ? 0 : Milliseconds(all[^1]),
            usage);
    }

    /// <summary>Waits the minimum warm-up, then while the JIT is still busy, up to the maximum.</summary>
    private static async Task WarmUpAsync(Warmup warmup, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(warmup.Minimum, cancellationToken);
        var compiled = JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetElapsedTime(started) + TimeSpan.FromSeconds(1) <= warmup.Maximum)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var now = JitInfo.GetCompiledMethodCount();
            if (now - compiled < QuietJitMethodsPerSecond)
            {
                return;
            }

            compiled = now;
        }
    }

    /// <summary>Nearest-rank percentile of sorted durations, in milliseconds.</summary>
    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Milliseconds(sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)]);

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>Unmeasured time before a phase: at least <see cref="Minimum"/>, longer while the JIT is busy, never past <see cref="Maximum"/>.</summary>
internal sealed record Warmup(TimeSpan Minimum, TimeSpan Maximum);
