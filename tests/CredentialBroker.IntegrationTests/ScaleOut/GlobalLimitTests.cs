using System.Diagnostics;
using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Xunit.Abstractions;

namespace CredentialBroker.IntegrationTests.ScaleOut;

/// <summary>Budgets and rate limits hold across replicas when load is spread over all three gateways.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class GlobalLimitTests(ThreeReplicaFixture cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Budget_ConcurrentCallsOverThreeReplicas_NeverOvershootAndSettleToZeroReserved()
    {
        // Worst case per call ≈ 9 estimated input tokens × 1 + 100 output tokens × 2 = 209 micro-USD; actual 204.
        // The budget fits ten worst cases, whichever replica they arrive at.
        var world = await cluster.SeedGatewayAsync(p => p.PurposeLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Month, MaxMicroUsd = 2_100 } } });
        var key = (await cluster.IssueAsync(world)).Secret;

        using var start = new SemaphoreSlim(0);
        var calls = Enumerable.Range(0, 300).Select(async i =>
        {
            await start.WaitAsync();
            using var response = await cluster.ChatAsync(cluster.Replicas[i % 3], key, maxTokens: 100);
            return (Replica: i % 3, response.StatusCode);
        }).ToList();
        start.Release(300);
        var results = await Task.WhenAll(calls);

        var succeeded = results.Count(r => r.StatusCode == HttpStatusCode.OK);
        var refused = results.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        var perReplica = string.Join(", ", results.Where(r => r.StatusCode == HttpStatusCode.OK).GroupBy(r => r.Replica).OrderBy(g => g.Key).Select(g => $"replica-{g.Key + 1}: {g.Count()}"));
        output.WriteLine($"300 concurrent calls round-robin over 3 gateways: {succeeded} forwarded ({perReplica}), {refused} refused by the budget");
        Assert.Equal(300, succeeded + refused);
        Assert.Equal(10, succeeded);

        // Each replica writes its usage in its own batches; wait until every reservation is settled.
        var usageClient = new UsageService.UsageServiceClient(cluster.Replicas[1].Channel);
        var waited = Stopwatch.StartNew();
        GetUsageResponse usage;
        do
        {
            await Task.Delay(200);
            usage = await usageClient.GetUsageAsync(new GetUsageRequest { PurposeId = world.Purpose.Id, Window = BudgetWindow.Month }, BrokerFixture.Bearer(world.SecurityToken));
        }
        while ((usage.Budgets.Single().ReservedMicroUsd != 0 || usage.Totals.CostMicroUsd != succeeded * 204) && waited.Elapsed < TimeSpan.FromSeconds(20));

        var budget = Assert.Single(usage.Budgets);
        output.WriteLine($"budget {budget.MaxMicroUsd} micro-USD: spent {budget.SpentMicroUsd}, reserved {budget.ReservedMicroUsd} (settled after {waited.ElapsedMilliseconds} ms)");
        Assert.Equal(0, budget.ReservedMicroUsd);
        Assert.Equal(succeeded * 204, usage.Totals.CostMicroUsd);
        Assert.Equal(usage.Totals.CostMicroUsd, budget.SpentMicroUsd);
        Assert.True(budget.SpentMicroUsd <= budget.MaxMicroUsd, $"spent {budget.SpentMicroUsd} > budget {budget.MaxMicroUsd}");
    }

    [Fact]
    public async Task RateLimit_CallsSpreadOverThreeReplicas_AdmitTheLimitOnceNotThreeTimes()
    {
        const int limit = 120;
        var world = await cluster.SeedGatewayAsync(p => p.PurposeLimits = new Limits { RequestsPerMinute = limit });
        var key = (await cluster.IssueAsync(world)).Secret;
        await WaitForLiveReplicasAsync(3);

        // Each gateway gets a call every 40 ms (75 calls/s in all, against 2/s allowed) for six seconds.
        var window = TimeSpan.FromSeconds(6);
        var clock = Stopwatch.StartNew();
        var perReplica = await Task.WhenAll(cluster.Replicas.Select(async replica =>
        {
            var (admitted, refused) = (0, 0);
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(40));
            while (clock.Elapsed < window && await pace.WaitForNextTickAsync())
            {
                using var response = await cluster.ChatAsync(replica, key);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{replica.Id}: {(int)response.StatusCode}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    admitted++;
                }
                else
                {
                    refused++;
                }
            }

            return (admitted, refused);
        }));
        var elapsed = clock.Elapsed;

        // A bucket starts full (one minute's allowance) and refills continuously: over the window the
        // cluster as a whole may admit the limit plus the limit × elapsed minutes, like one replica would.
        var expected = limit + (limit * elapsed.TotalMinutes);
        var admitted = perReplica.Sum(r => r.admitted);
        output.WriteLine(
            $"{limit} requests/min purpose limit, {perReplica.Sum(r => r.admitted + r.refused)} calls over 3 gateways in {elapsed.TotalSeconds:0.0} s: " +
            $"admitted {admitted} ({string.Join(", ", perReplica.Select((r, i) => $"replica-{i + 1}: {r.admitted}"))}), " +
            $"allowed {expected:0.0} → {admitted / expected:P1} of the limit (one bucket per replica with the whole limit would admit ~{3 * expected:0})");
        Assert.InRange(admitted, expected * 0.9, expected * 1.1);
    }

    private async Task WaitForLiveReplicasAsync(int count)
    {
        var waited = Stopwatch.StartNew();
        while (await cluster.ScalarAsync<long>("SELECT count(*) FROM broker_replicas WHERE heartbeat_at > now() - interval '3 seconds'") != count)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"the replica registry did not show {count} live replicas");
            await Task.Delay(200);
        }

        // Every replica re-reads the count at its next heartbeat (every second).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
    }
}
