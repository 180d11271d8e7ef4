using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Anomalies;
using CredentialBroker.V1;
using AnomalyAction = CredentialBroker.Server.Anomalies.AnomalyAction;
using AnomalyKind = CredentialBroker.Server.Anomalies.AnomalyKind;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>A broker whose anomaly job fires every second.</summary>
public sealed class AnomalyJobFixture : BrokerFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:Anomalies:Interval"] = "00:00:01",
    };
}

public sealed class AnomalyJobTests(AnomalyJobFixture broker) : IClassFixture<AnomalyJobFixture>
{
    private async Task<SyntheticKey> KeyAsync(Action<CreatePurposeRequest>? purpose = null)
    {
        var world = await broker.SeedAsync(purpose);
        var c = (await broker.IssueAsync(world)).Credential;
        return new SyntheticKey(Guid.Parse(c.Id), Guid.Parse(c.OwnerId), Guid.Parse(c.PurposeId), Guid.Parse(c.WorkloadId), world.Workload.Identity, 10, true);
    }

    [Fact]
    public async Task Run_Loop_RecordedOnceAndNarrowed_EvenWithTwoReplicasRunningAtOnce()
    {
        var key = await KeyAsync();
        var quiet = await KeyAsync();
        var generator = new TrafficGenerator(1);
        var now = broker.Time.GetUtcNow();
        await TrafficGenerator.WriteAsync(broker.ConnectionString, [key, quiet],
            generator.Normal(key, now.AddHours(-2), now).Concat(generator.Normal(quiet, now.AddHours(-2), now))
                .Concat(generator.Loop(key, now.AddMinutes(-8), TimeSpan.FromMinutes(8), 5)));
        await using var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), BrokerFixture.FreeAddress());

        var runs = await Task.WhenAll(
            broker.Services.GetRequiredService<AnomalyDetector>().RunAsync(CancellationToken.None),
            replica.Services.GetRequiredService<AnomalyDetector>().RunAsync(CancellationToken.None));
        var again = await broker.Services.GetRequiredService<AnomalyDetector>().RunAsync(CancellationToken.None);

        Assert.True(runs.Sum(r => r.Count) == 1, await DescribeAsync());
        Assert.Empty(again);
        Assert.Equal(1, await broker.CountAsync("anomalies", $"credential_id = '{key.CredentialId}' AND kind = 'loop' AND action = 'narrow' AND (evidence->>'repeats')::int > 20"));
        Assert.Equal(0, await broker.CountAsync("anomalies", $"credential_id = '{quiet.CredentialId}'"));
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{key.CredentialId}' AND status = 'active' AND narrowed_limits IS NOT NULL"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'anomaly.detected' AND target_id = '{key.CredentialId}' AND metadata->>'kind' = 'loop'"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.narrowed' AND target_id = '{key.CredentialId}'"));
    }

    private async Task<string> DescribeAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT kind || ' ' || action || ' ' || evidence::text FROM anomalies", connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return string.Join("\n", rows);
    }

    [Fact]
    public async Task QuartzJob_OnClusteredStore_FindsALeakAndSuspends()
    {
        var key = await KeyAsync();
        var generator = new TrafficGenerator(2);
        var now = broker.Time.GetUtcNow();
        await TrafficGenerator.WriteAsync(broker.ConnectionString, [key],
            generator.Normal(key, now.AddHours(-1), now).Concat(generator.Leak(key, "spiffe://elsewhere/thief", now.AddMinutes(-3), TimeSpan.FromMinutes(3), 3)));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && await broker.CountAsync("credentials", $"id = '{key.CredentialId}' AND status = 'suspended'") == 0)
        {
            // Quartz takes its clock from the container too, so let the fake clock run while we wait.
            broker.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{key.CredentialId}' AND status = 'suspended'"));
        Assert.Equal(1, await broker.CountAsync("anomalies", $"credential_id = '{key.CredentialId}' AND kind = 'identity_mismatch' AND evidence->>'presented_identities' = 'spiffe://elsewhere/thief'"));
        Assert.Equal(1, await broker.CountAsync("qrtz_triggers", $"trigger_name = '{AnomalyJob.Name}'"));
    }
}
