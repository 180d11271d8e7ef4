using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net;
using System.Text;
using CredentialBroker.Testing;
using CredentialBroker.V1;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Budgets and rate limits under load spread over the server processes: a purpose whose monthly budget
/// runs out within a second or two, and one with a requests-per-minute limit, each hammered through every
/// gateway at once. Reads back what was spent (GetUsage, after every reservation settled) and what was admitted.
/// </summary>
internal static class ReplicaLimitsCheck
{
    public const long BudgetMicroUsd = 5_000;
    public const long RequestsPerMinute = 600;
    private const int ConnectionsPerReplica = 4;

    public static async Task<ReplicaLimitsResult> RunAsync(
        BrokerHost broker, NpgsqlDataSource data, IReadOnlyList<ServerProcess> replicas, TimeSpan duration, CancellationToken cancellationToken)
    {
        var channel = replicas[0].Channel;
        var budgetKey = await GatewayBenchSeed.IssueKeyAsync(broker, channel, "bench-replicas-budget",
            new GatewayPolicy { MaxOutputTokens = 256, PurposeLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Month, MaxMicroUsd = BudgetMicroUsd } } } }, cancellationToken);
        var rateKey = await GatewayBenchSeed.IssueKeyAsync(broker, channel, "bench-replicas-rate",
            new GatewayPolicy { MaxOutputTokens = 256, PurposeLimits = new Limits { RequestsPerMinute = RequestsPerMinute } }, cancellationToken);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = ConnectionsPerReplica, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var budget = await HammerAsync(http, replicas, budgetKey, duration, cancellationToken);
        var usage = await SettledUsageAsync(broker, data, channel, "bench-replicas-budget", cancellationToken);

        // Rate limits are shared out among the replicas the registry counts as live: wait until it sees all of them.
        await WaitForLiveReplicasAsync(data, replicas.Count, cancellationToken);
        var rate = await HammerAsync(http, replicas, rateKey, duration, cancellationToken);

        var status = usage.Budgets.Single();
        return new ReplicaLimitsResult(replicas.Count, replicas.Count * ConnectionsPerReplica,
            budget.Seconds, budget.Ok, budget.TooMany, status.MaxMicroUsd, status.SpentMicroUsd, status.ReservedMicroUsd,
            RequestsPerMinute, rate.Seconds, rate.Ok, rate.TooMany, budget.Other + rate.Other, budget.FirstOther ?? rate.FirstOther);
    }

    private static async Task<(double Seconds, long Ok, long TooMany, long Other, string? FirstOther)> HammerAsync(
        HttpClient http, IReadOnlyList<ServerProcess> replicas, string key, TimeSpan duration, CancellationToken cancellationToken)
    {
        long ok = 0, tooMany = 0, other = 0;
        string? firstOther = null;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(replicas.SelectMany(r => Enumerable.Range(0, ConnectionsPerReplica).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, r.GatewayAddress + "/openai/v1/chat/completions")
                {
                    Content = new StringContent(GatewayOverheadScenario.Body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                using var response = await http.SendAsync(request, cancellationToken);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK: Interlocked.Increment(ref ok); break;
                    case HttpStatusCode.TooManyRequests: Interlocked.Increment(ref tooMany); break;
                    default:
                        Interlocked.Increment(ref other);
                        Interlocked.CompareExchange(ref firstOther, $"{r.Id}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}", null);
                        break;
                }
            }
        }, cancellationToken))));
        return (clock.Elapsed.TotalSeconds, ok, tooMany, other, firstOther);
    }

    /// <summary>The purpose's usage once every replica has settled its reservations (usage is written in batches).</summary>
    private static async Task<GetUsageResponse> SettledUsageAsync(BrokerHost broker, NpgsqlDataSource data, Grpc.Net.Client.GrpcChannel channel, string purpose, CancellationToken cancellationToken)
    {
        await using var find = data.CreateCommand("SELECT id FROM purposes WHERE name = $1");
        find.Parameters.Add(new() { Value = purpose });
        var purposeId = (Guid)(await find.ExecuteScalarAsync(cancellationToken))!;
        var client = new UsageService.UsageServiceClient(channel);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var usage = await client.GetUsageAsync(new GetUsageRequest { PurposeId = purposeId.ToString(), Window = BudgetWindow.Month }, broker.AdminAuth, cancellationToken: cancellationToken);
            if (usage.Budgets.Single().ReservedMicroUsd == 0 || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                return usage;
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task WaitForLiveReplicasAsync(NpgsqlDataSource data, int count, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await using var command = data.CreateCommand("SELECT count(*) FROM broker_replicas WHERE heartbeat_at > now() - interval '3 seconds'");
            if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == count)
            {
                break;
            }

            await Task.Delay(200, cancellationToken);
        }

        // Each replica re-reads the count at its next heartbeat (every second).
        await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
    }
}
