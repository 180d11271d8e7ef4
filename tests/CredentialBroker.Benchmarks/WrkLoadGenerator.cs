using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Load from wrk (https://github.com/wg/wrk), a separate process that costs far less CPU per request
/// than an in-process client. A Lua script sets the POST and prints the figures this class parses.
/// </summary>
internal sealed partial class WrkLoadGenerator(string path, string version) : IHttpLoadGenerator
{
    private const int Threads = 2;

    // latency:percentile() and summary.duration are in microseconds; errors.status counts responses with status ≥ 400.
    private const string Done =
        """
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("cb-result requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f status=%.0f connect=%.0f read=%.0f write=%.0f timeout=%.0f\n",
            summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status, e.connect, e.read, e.write, e.timeout))
        end
        """;

    public string Name => $"{version} ({Threads} threads, --latency)";

    /// <summary>wrk from PATH, or null when it is not installed.</summary>
    public static WrkLoadGenerator? Find()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "wrk"))
            .FirstOrDefault(File.Exists);
        if (found is null)
        {
            return null;
        }

        using var process = Process.Start(new ProcessStartInfo(found, "-v") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var banner = process.StandardOutput.ReadLine() ?? "wrk";
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new WrkLoadGenerator(found, banner.Split(" [", 2)[0]);
    }

    public async Task<HttpLegResult> RunAsync(HttpLoadTarget target, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var script = Path.Combine(Path.GetTempPath(), $"cb-bench-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script,
            $"""
            wrk.method = "POST"
            wrk.body = [==[{target.Body}]==]
            wrk.headers["Content-Type"] = "application/json"
            wrk.headers["Authorization"] = [==[{target.Authorization}]==]
            {Done}
            """, cancellationToken);
        try
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));
            var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "-t", Math.Min(Threads, connections).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-d", $"{seconds}s", "--timeout", "10s", "--latency", "-s", script, target.Url })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            await using var kill = cancellationToken.Register(() => process.Kill(entireProcessTree: true));
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            return Parse(await stdout, await stderr, process.ExitCode);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>
    /// One wrk process per target, run at the same time with the connections split between them. wrk reports
    /// percentiles per process only, so the result's p50 is the request-weighted mean of theirs and its p99 the
    /// highest (an upper bound).
    /// </summary>
    public async Task<HttpLegResult> RunSpreadAsync(IReadOnlyList<HttpLoadTarget> targets, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(targets.Select((t, i) =>
            RunAsync(t, (connections / targets.Count) + (i < connections % targets.Count ? 1 : 0), duration, cancellationToken)));
        var requests = results.Sum(r => r.Requests);
        return new HttpLegResult(results.Max(r => r.Seconds), requests, results.Sum(r => r.Non2xx), results.Sum(r => r.Errors),
            results.Select(r => r.FirstError).FirstOrDefault(e => e is not null),
            requests > 0 ? results.Sum(r => r.P50 * r.Requests) / requests : 0, results.Max(r => r.P99));
    }

    private static HttpLegResult Parse(string stdout, string stderr, int exitCode)
    {
        var match = ResultLine().Match(stdout);
        if (exitCode != 0 || !match.Success)
        {
            throw new InvalidOperationException($"wrk exited with {exitCode} and no result line: {stdout}{stderr}");
        }

        double Value(string name) => double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture);
        var socketErrors = (long)(Value("connect") + Value("read") + Value("write") + Value("timeout"));
        var non2xx = (long)Value("status");
        return new HttpLegResult(Value("duration") / 1e6, (long)Value("requests"), non2xx, socketErrors,
            non2xx + socketErrors > 0 ? stdout.Trim() : null, Value("p50") / 1000, Value("p99") / 1000);
    }

    [GeneratedRegex(@"cb-result requests=(?<requests>\d+) duration_us=(?<duration>\d+) p50_us=(?<p50>\d+) p99_us=(?<p99>\d+) status=(?<status>\d+) connect=(?<connect>\d+) read=(?<read>\d+) write=(?<write>\d+) timeout=(?<timeout>\d+)")]
    private static partial Regex ResultLine();
}
