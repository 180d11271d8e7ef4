using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Governance;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>A broker with small batches whose Quartz expiry job never fires during a test, so the test alone sweeps.</summary>
public sealed class ManualExpiryBrokerFixture : BrokerFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:BatchSize"] = "10",
        ["Broker:ExpirySweepInterval"] = "3650.00:00:00",
    };
}

public sealed class ExpiryCatchUpTests(ManualExpiryBrokerFixture broker) : IClassFixture<ManualExpiryBrokerFixture>
{
    [Fact]
    public async Task Sweep_CredentialsComingDueWhileItRuns_AreExpiredByTheSameRun()
    {
        // An expiry storm: while one run works through its batches, more credentials come due.
        var world = await broker.SeedAsync();
        var ids = new List<string>();
        foreach (var minutes in new[] { 5, 6, 7 })
        {
            for (var i = 0; i < 10; i++)
            {
                ids.Add((await broker.IssueAsync(world, TimeSpan.FromMinutes(minutes))).Credential.Id);
            }
        }

        broker.Time.Advance(TimeSpan.FromSeconds(330));
        var sweeper = broker.Services.GetRequiredService<ExpirySweeper>();
        int expired;
        broker.Time.AutoAdvanceAmount = TimeSpan.FromMinutes(1); // every batch reads a clock a minute later
        try
        {
            expired = await sweeper.SweepAsync(CancellationToken.None);
        }
        finally
        {
            broker.Time.AutoAdvanceAmount = TimeSpan.Zero;
        }

        // A run that read the clock once would have stopped after the ten due at its start.
        Assert.Equal(30, expired);
        var all = string.Join(',', ids.Select(id => $"'{id}'"));
        Assert.Equal(30, await broker.CountAsync("credentials", $"id IN ({all}) AND status = 'expired'"));
        Assert.Equal(30, await broker.CountAsync("audit_events", $"action = 'credential.expired' AND target_id IN ({all})"));
    }
}
