using CredentialBroker.IntegrationTests.Reports;
using CredentialBroker.Server.Governance;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>Monthly partitions ahead of time, retention by dropping whole months, roll-ups kept longer.</summary>
public sealed class UsageMaintenanceTests(ReportFixture fixture) : IClassFixture<ReportFixture>
{
    [Fact]
    public async Task Run_CreatesAheadMovesStrayRowsAndDropsExpiredMonths()
    {
        var world = await fixture.SeedBoundedAsync();
        var credential = (await fixture.IssueAsync(world)).Credential;
        var maintenance = fixture.Services.GetRequiredService<UsageMaintenance>();
        var now = fixture.Time.GetUtcNow();
        var thisMonth = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        await maintenance.RunAsync(CancellationToken.None);
        Assert.True(await PartitionExistsAsync(thisMonth.AddMonths(2)));

        // A call dated beyond the partitions lands in the default partition; when its month comes
        // within reach, the job gives it a partition and moves it there, counted once.
        var stray = thisMonth.AddMonths(3).AddDays(4);
        await fixture.InsertUsageAsync(credential, stray, costMicroUsd: 555);
        Assert.Equal(1, await fixture.CountAsync("usage_events_default", $"credential_id = '{credential.Id}'"));
        fixture.Time.Advance(TimeSpan.FromDays(40));
        var ahead = await maintenance.RunAsync(CancellationToken.None);
        Assert.Contains(UsageMaintenance.PartitionName(thisMonth.AddMonths(3)), ahead.Created);
        Assert.Equal(0, await fixture.CountAsync("usage_events_default", $"credential_id = '{credential.Id}'"));
        Assert.Equal(1, await fixture.CountAsync(UsageMaintenance.PartitionName(thisMonth.AddMonths(3)), $"credential_id = '{credential.Id}'"));
        Assert.Equal(1, await fixture.CountAsync("usage_hourly", $"scope = 'credential' AND scope_id = '{credential.Id}' AND cost_micro_usd = 555 AND requests = 1"));

        // An old month: dropped whole once its last day is older than the raw retention (180 days);
        // its hourly roll-ups stay until the roll-up retention (730 days).
        var oldMonth = thisMonth.AddMonths(-8);
        await fixture.ExecuteAsync($"SELECT usage_events_ensure_partition('{oldMonth:O}')");
        await fixture.InsertUsageAsync(credential, oldMonth.AddDays(10), costMicroUsd: 777);
        var dropped = await maintenance.RunAsync(CancellationToken.None);
        Assert.Contains(UsageMaintenance.PartitionName(oldMonth), dropped.Dropped);
        Assert.False(await PartitionExistsAsync(oldMonth));
        Assert.Equal(0, await fixture.CountAsync("usage_events", "cost_micro_usd = 777"));
        Assert.Equal(1, await fixture.CountAsync("usage_hourly", $"scope = 'owner' AND scope_id = '{credential.OwnerId}' AND cost_micro_usd = 777"));
        Assert.Equal(1, await fixture.CountAsync("audit_events", $"action = 'usage.retention_applied' AND metadata->>'dropped_partitions' LIKE '%{UsageMaintenance.PartitionName(oldMonth)}%'"));

        fixture.Time.Advance(TimeSpan.FromDays(730));
        var rolled = await maintenance.RunAsync(CancellationToken.None);
        Assert.True(rolled.RollupsDeleted >= 3);
        Assert.Equal(0, await fixture.CountAsync("usage_hourly", "cost_micro_usd = 777"));
    }

    private async Task<bool> PartitionExistsAsync(DateTimeOffset month) =>
        await fixture.CountAsync("pg_class", $"relname = '{UsageMaintenance.PartitionName(month)}'") == 1;
}
