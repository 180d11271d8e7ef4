using System.Diagnostics;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Cluster;

/// <summary>The replica registry: replicas count each other through heartbeats, and a replica that stops leaves at once.</summary>
public sealed class ReplicaRegistryTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task SecondReplica_IsCountedByBoth_AndLeavesWhenItStops()
    {
        var first = broker.Services.GetRequiredService<ReplicaRegistry>();
        Assert.Equal(1, await first.BeatAsync(CancellationToken.None));

        await using var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), BrokerFixture.FreeAddress(),
            new Dictionary<string, string?> { ["Broker:Replica:Id"] = "second-replica" });
        var second = replica.Services.GetRequiredService<LiveReplicas>();
        await WaitForAsync(() => second.Count == 2);
        Assert.Equal(2, await first.BeatAsync(CancellationToken.None));
        Assert.Equal(2, broker.Services.GetRequiredService<LiveReplicas>().Count);
        Assert.Equal(1, await broker.CountAsync("broker_replicas", "replica_id = 'second-replica'"));

        // A clean stop removes the row, so the first replica takes the whole limit again without waiting for the live window.
        await replica.StopAsync();
        Assert.Equal(0, await broker.CountAsync("broker_replicas", "replica_id = 'second-replica'"));
        Assert.Equal(1, await first.BeatAsync(CancellationToken.None));
    }

    [Fact]
    public async Task StaleHeartbeat_DoesNotCountAsLive()
    {
        var registry = broker.Services.GetRequiredService<ReplicaRegistry>();
        await broker.ExecuteAsync("INSERT INTO broker_replicas VALUES ('crashed-replica', now() - interval '1 hour', now() - interval '10 seconds')");

        Assert.Equal(1, await registry.BeatAsync(CancellationToken.None));
        await broker.ExecuteAsync("UPDATE broker_replicas SET heartbeat_at = now() WHERE replica_id = 'crashed-replica'");
        Assert.Equal(2, await registry.BeatAsync(CancellationToken.None));
        await broker.ExecuteAsync("DELETE FROM broker_replicas WHERE replica_id = 'crashed-replica'");
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the replicas did not see each other within 10 s");
            await Task.Delay(50);
        }
    }
}
