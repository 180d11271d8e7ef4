using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Governance;
using CredentialBroker.V1;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>A broker with small batches and the expiry job firing every second.</summary>
public sealed class ExpiryBrokerFixture : BrokerFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:BatchSize"] = "10",
        ["Broker:ExpirySweepInterval"] = "00:00:01",
    };
}

public sealed class ExpiryJobTests(ExpiryBrokerFixture broker) : IClassFixture<ExpiryBrokerFixture>
{
    [Fact]
    public async Task Sweep_ExpiresDueCredentialsInBatchesAndAuditsEach()
    {
        var world = await broker.SeedAsync();
        var due = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            due.Add((await broker.IssueAsync(world, TimeSpan.FromMinutes(5))).Credential.Id);
        }

        var notDue = (await broker.IssueAsync(world, TimeSpan.FromMinutes(30))).Credential.Id;
        var sweeper = broker.Services.GetRequiredService<ExpirySweeper>();
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(26, await broker.CountAsync("credentials", $"owner_id = '{world.Owner.Id}' AND status = 'active'"));

        broker.Time.Advance(TimeSpan.FromMinutes(6));
        await sweeper.SweepAsync(CancellationToken.None);

        var ids = string.Join(',', due.Select(id => $"'{id}'"));
        Assert.Equal(25, await broker.CountAsync("credentials", $"id IN ({ids}) AND status = 'expired' AND revocation_reason = 'expired'"));
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{notDue}' AND status = 'active'"));
        Assert.Equal(25, await broker.CountAsync("audit_events", $"action = 'credential.expired' AND actor = '{ExpirySweeper.Actor}' AND target_id IN ({ids})"));
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Sweep_SuspendedCredentialPastExpiry_IsExpiredWithTheActiveOnes()
    {
        var world = await broker.SeedAsync();
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await broker.IssueAsync(world, TimeSpan.FromMinutes(5))).Credential.Id);
        }

        Assert.Equal(1, await broker.ExecuteAsync($"UPDATE credentials SET status = 'suspended', suspended_at = now() WHERE id = '{ids[0]}'"));
        broker.Time.Advance(TimeSpan.FromMinutes(6));
        await broker.Services.GetRequiredService<ExpirySweeper>().SweepAsync(CancellationToken.None);

        var all = string.Join(',', ids.Select(id => $"'{id}'"));
        Assert.Equal(12, await broker.CountAsync("credentials", $"id IN ({all}) AND status = 'expired' AND revocation_reason = 'expired'"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.expired' AND target_id = '{ids[0]}'"));
        Assert.Equal(12, await broker.CountAsync("audit_events", $"action = 'credential.expired' AND target_id IN ({all})"));
    }

    [Fact]
    public async Task QuartzJob_OnClusteredStore_FiresAndExpires()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world, TimeSpan.FromMinutes(5));
        broker.Time.Advance(TimeSpan.FromMinutes(6));

        // Quartz takes its clock from the container too, so let the fake clock run while we wait.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND status = 'expired'") == 0)
        {
            broker.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND status = 'expired'"));
        Assert.Equal(1, await broker.CountAsync("qrtz_scheduler_state", "sched_name = 'credentialbroker'"));
        Assert.Equal(1, await broker.CountAsync("qrtz_triggers", $"trigger_name = '{ExpiryJob.Name}'"));
        var read = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.WorkloadToken));
        Assert.Equal(CredentialStatus.Expired, read.Credential.Status);
    }
}
