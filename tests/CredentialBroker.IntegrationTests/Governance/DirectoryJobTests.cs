using CredentialBroker.Server.Governance;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>A broker that syncs owners from a CSV file (written by the test).</summary>
public sealed class DirectoryFileBrokerFixture : DirectoryBrokerFixture
{
    public string DirectoryFile { get; } = Path.Combine(Path.GetTempPath(), $"owners-{Guid.NewGuid():N}.csv");

    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:Governance:OffboardingGrace"] = "1.00:00:00",
        ["Broker:Governance:DirectoryFile"] = DirectoryFile,
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(DirectoryFile);
    }
}

public sealed class DirectoryJobTests(DirectoryFileBrokerFixture broker) : IClassFixture<DirectoryFileBrokerFixture>
{
    [Fact]
    public async Task Job_MalformedFileLoggedAndAuditedChangingNothing_ThenValidFileApplied()
    {
        var job = broker.Services.GetRequiredService<OwnerDirectoryJob>();
        var name = $"gina-{Guid.NewGuid():N}"[..20];
        await File.WriteAllTextAsync(broker.DirectoryFile, $"name,email\n{name},gina@example.com\n{name},other@example.com\n");
        var before = await broker.OwnersSnapshotAsync();

        Assert.Null(await job.RunAsync(CancellationToken.None));

        Assert.Equal(0, await broker.CountAsync("owners", $"name = '{name}'"));
        Assert.StartsWith(before[..32], await broker.OwnersSnapshotAsync());
        Assert.True(await broker.CountAsync("audit_events",
            $"action = 'owner.directory_rejected' AND actor = 'system:{OwnerDirectorySync.Job}' AND reason LIKE '%line 3 name: ''{name}'' is listed twice%'") >= 1);

        await File.WriteAllTextAsync(broker.DirectoryFile, $"name,email,external_id\n{name},gina@example.com,HR-7\n");
        var plan = await job.RunAsync(CancellationToken.None);

        Assert.NotNull(plan);
        Assert.Equal(1, await broker.CountAsync("owners", $"name = '{name}' AND directory_managed AND external_id = 'HR-7' AND active"));
        Assert.True(await broker.CountAsync("audit_events", $"action = 'owner.directory_synced' AND actor = 'system:{OwnerDirectorySync.Job}'") >= 1);
    }
}
