using System.Net;
using CredentialBroker.Testing;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Sends a revoked key to every server process's gateway, round after round, until stopped, and counts
/// what came back: refusals (401/403), acceptances (200, which must never happen), other statuses, and
/// calls that found no process listening (a killed or restarting one).
/// </summary>
internal sealed class GatewayKeyPoller(IReadOnlyList<ServerProcess> servers, string key)
{
    private readonly List<string> _ids = [.. servers.Select(s => s.Id)];
    private readonly long[] _refusedCounts = new long[servers.Count];

    public long Accepted { get; private set; }

    public long Other { get; private set; }

    public long Unreachable { get; private set; }

    public string? FirstUnexpected { get; private set; }

    /// <summary>Refusals per server process id.</summary>
    public IReadOnlyDictionary<string, long> Refused => _ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => Interlocked.Read(ref _refusedCounts[x.i]));

    /// <summary>Whether every process refused the key at least once and none ever accepted it or answered otherwise.</summary>
    public bool Held => Accepted == 0 && Other == 0 && Refused.Values.All(n => n > 0);

    /// <summary>Waits (up to 30 s) until <paramref name="serverId"/> has refused the key <paramref name="count"/> more times.</summary>
    public async Task WaitForRefusalsAsync(string serverId, int count, CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _refusedCounts[_ids.IndexOf(serverId)]) + count;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Interlocked.Read(ref _refusedCounts[_ids.IndexOf(serverId)]) < target && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!stop.IsCancellationRequested)
        {
            for (var i = 0; i < servers.Count; i++)
            {
                var server = servers[i];
                var address = server.GatewayAddress;
                HttpStatusCode status;
                try
                {
                    status = await MassRevocationScenario.GatewayStatusAsync(http, address, key, stop);
                }
                catch (HttpRequestException)
                {
                    Unreachable++;
                    continue;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }

                if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    Interlocked.Increment(ref _refusedCounts[i]);
                }
                else
                {
                    FirstUnexpected ??= $"{server.Id} answered {(int)status}";
                    if (status == HttpStatusCode.OK)
                    {
                        Accepted++;
                    }
                    else
                    {
                        Other++;
                    }
                }
            }

            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
