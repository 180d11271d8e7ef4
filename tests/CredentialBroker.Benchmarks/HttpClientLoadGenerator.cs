using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// The fallback when wrk is not installed: one worker per connection in this process, HTTP/1.1
/// through one <see cref="SocketsHttpHandler"/>. It shares the cores with the servers it measures,
/// as wrk would, but costs more CPU per request than wrk does.
/// </summary>
internal sealed class HttpClientLoadGenerator(int maxConnections) : IHttpLoadGenerator, IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(10),
    };

    public string Name => "built-in HttpClient loop (one worker per connection, SocketsHttpHandler, HTTP/1.1)";

    public Task<HttpLegResult> RunAsync(HttpLoadTarget target, int connections, TimeSpan duration, CancellationToken cancellationToken) =>
        RunSpreadAsync([target], connections, duration, cancellationToken);

    /// <summary>One loop over all targets, so the percentiles are exact over the whole spread load.</summary>
    public async Task<HttpLegResult> RunSpreadAsync(IReadOnlyList<HttpLoadTarget> targets, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new List<long>[connections];
        long non2xx = 0;
        long errors = 0;
        string? firstError = null;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        async Task WorkerAsync(int index)
        {
            var mine = latencies[index] = new List<long>(64 * 1024);
            var target = targets[index % targets.Count];
            var body = Encoding.UTF8.GetBytes(target.Body);
            var authorization = AuthenticationHeaderValue.Parse(target.Authorization);
            while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = authorization;
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                    var ended = Stopwatch.GetTimestamp();
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref non2xx);
                        Interlocked.CompareExchange(ref firstError, $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}", null);
                    }
                    else if (ended <= deadline)
                    {
                        mine.Add(ended - sent);
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(i => Task.Run(() => WorkerAsync(i), CancellationToken.None)));
        cancellationToken.ThrowIfCancellationRequested();
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new HttpLegResult(duration.TotalSeconds, all.Length, non2xx, errors, firstError, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Nearest-rank percentile of sorted durations, in milliseconds.</summary>
    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
}
