using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Admin;

/// <summary>purposes retire, workloads deregister, owners sync and the LAST USED column, against a real broker.</summary>
public sealed class OffboardingCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task PurposesRetire_RetiresAndRevokes_ListShowsState()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world);

        var result = await RunAsync("purposes", "retire", world.Purpose.Id, "--reason", "pilot ended");
        var listed = await RunAsync("purposes", "list", "--owner", world.Owner.Id);
        var missingReason = await RunAsync("purposes", "retire", world.Purpose.Id);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("retired", result.Stdout);
        Assert.Contains("STATE", listed.Stdout.Split('\n')[0]);
        Assert.Contains("retired", listed.Stdout.Split('\n')[1]);
        Assert.Equal(2, missingReason.ExitCode);
        var credential = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, broker.AdminAuth);
        Assert.Equal(CredentialStatus.Revoked, credential.Credential.Status);
    }

    [Fact]
    public async Task WorkloadsDeregister_Json_ShowsDeregistration_UnknownIdExitsNonZero()
    {
        var world = await broker.SeedAsync();

        var result = await RunAsync("-o", "json", "workloads", "deregister", world.Workload.Id, "--reason", "decommissioned");
        var unknown = await RunAsync("workloads", "deregister", Guid.NewGuid().ToString(), "--reason", "x");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("decommissioned", json.RootElement.GetProperty("deregistration_reason").GetString());
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("NotFound", unknown.Stderr);
    }

    [Fact]
    public async Task OwnersSync_DryRunPrintsPlanAndWritesNothing_ThenApplies()
    {
        var name = $"cli-dir-{Guid.NewGuid():N}"[..24];
        using var file = new TempFile($"name,email,external_id\n{name},{name}@example.com,HR-1\n", ".csv");

        var dryRun = await RunAsync("owners", "sync", "--file", file.Path, "--dry-run");
        var countAfterDryRun = await broker.CountAsync("owners", $"name = '{name}'");
        var applied = await RunAsync("owners", "sync", "--file", file.Path);

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("dry run: nothing changed", dryRun.Stdout);
        Assert.Matches($@"created:\s+1\s+{name}", dryRun.Stdout);
        Assert.Contains("to-deactivate:", dryRun.Stdout);
        Assert.Equal(0, countAfterDryRun);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(1, await broker.CountAsync("owners", $"name = '{name}' AND directory_managed AND external_id = 'HR-1'"));
    }

    [Fact]
    public async Task OwnersSync_MalformedFile_ExitsOneNamingLineAndField()
    {
        using var file = new TempFile("name,email\nok-1,ok@example.com\nok-2,broken\n", ".csv");

        var result = await RunAsync("owners", "sync", "--file", file.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("InvalidArgument", result.Stderr);
        Assert.Contains("line 3 email", result.Stderr);
        Assert.Equal(0, await broker.CountAsync("owners", "name IN ('ok-1', 'ok-2')"));
    }

    [Fact]
    public async Task OwnersSync_MissingFile_ExitsTwo()
    {
        var result = await RunAsync("owners", "sync", "--file", Path.Combine(Path.GetTempPath(), $"none-{Guid.NewGuid():N}.csv"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot read", result.Stderr);
    }

    [Fact]
    public async Task CredsList_ShowsLastUsedColumn()
    {
        var world = await broker.SeedAsync();
        await broker.IssueAsync(world);

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "creds", "list", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("LAST USED", lines[0].TrimEnd());
        Assert.EndsWith("never", lines[1].TrimEnd());
    }

    private Task<CliResult> RunAsync(params string[] args) =>
        Brokerctl.RunAsync([.. args, "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken]);
}
