using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Admin;

public sealed class AdminCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task PurposesCreate_FromYamlFile_CreatesPurpose()
    {
        var world = await broker.SeedAsync();
        var path = Path.Combine(Path.GetTempPath(), $"purpose-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, $"""
            name: cli-yaml-{Guid.NewGuid():N}
            description: summaries for support tickets
            owner_id: {world.Owner.Id}
            risk_tier: customer-facing
            default_ttl: 10m
            max_ttl: 2h
            max_lifetime: 7d
            allowed_providers:
              - {world.Provider.Name}
            allowed_models: ["gpt-4o-mini"]
            """);
        try
        {
            var result = await Brokerctl.RunAsync("-o", "json", "purposes", "create", "-f", path, "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);

            Assert.True(result.ExitCode == 0, result.ToString());
            using var json = JsonDocument.Parse(result.Stdout);
            var id = json.RootElement.GetProperty("id").GetString();
            var purposes = await broker.Admin.ListPurposesAsync(new ListPurposesRequest { OwnerId = world.Owner.Id, PageSize = 500 }, broker.AdminAuth);
            var created = Assert.Single(purposes.Purposes, p => p.Id == id);
            Assert.Equal(RiskTier.CustomerFacing, created.RiskTier);
            Assert.Equal(TimeSpan.FromMinutes(10), created.DefaultTtl.ToTimeSpan());
            Assert.Equal(TimeSpan.FromHours(2), created.MaxTtl.ToTimeSpan());
            Assert.Equal(TimeSpan.FromDays(7), created.MaxLifetime.ToTimeSpan());
            Assert.Equal([world.Provider.Name], created.AllowedProviders);
            Assert.Equal(["gpt-4o-mini"], created.AllowedModels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task PurposesUpdate_ChangesOnlyTheFlagsGiven()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("purposes", "update", world.Purpose.Id, "--max-ttl", "30m", "--default-ttl", "5m", "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);
        var empty = await Brokerctl.RunAsync("purposes", "update", world.Purpose.Id, "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);
        var invalid = await Brokerctl.RunAsync("purposes", "update", world.Purpose.Id, "--default-ttl", "2h", "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var purposes = await broker.Admin.ListPurposesAsync(new ListPurposesRequest { OwnerId = world.Owner.Id }, broker.AdminAuth);
        var updated = Assert.Single(purposes.Purposes, p => p.Id == world.Purpose.Id);
        Assert.Equal(TimeSpan.FromMinutes(30), updated.MaxTtl.ToTimeSpan());
        Assert.Equal(TimeSpan.FromMinutes(5), updated.DefaultTtl.ToTimeSpan());
        Assert.Equal(world.Purpose.AllowedModels, updated.AllowedModels);
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("Nothing to update", empty.Stderr);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("InvalidArgument", invalid.Stderr);
    }

    [Fact]
    public async Task PurposesCreate_FileWithUnknownField_ExitsTwo()
    {
        var path = Path.Combine(Path.GetTempPath(), $"purpose-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "name: x\nttl_default: 5m\n");
        try
        {
            var result = await Brokerctl.RunAsync("purposes", "create", "-f", path, "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains(path, result.Stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task OwnersList_AsWorkload_ExitsFour()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("owners", "list", "--addr", broker.GrpcAddress, "--token", world.WorkloadToken);

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: PermissionDenied: ", result.Stderr);
    }

    [Fact]
    public async Task OwnersCreateThenList_AsAdmin_ShowsOwner()
    {
        var name = $"cli-owner-{Guid.NewGuid():N}";

        var created = await Brokerctl.RunAsync("owners", "create", "--name", name, "--email", "o@example.com", "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);
        var listed = await Brokerctl.RunAsync("owners", "list", "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);

        Assert.Equal(0, created.ExitCode);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(name, listed.Stdout);
    }

    [Fact]
    public async Task TokensCreate_PrintsWorkingTokenOnce()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("tokens", "create", "--role", "owner", "--owner", world.Owner.Id, "--ttl", "1h", "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);

        Assert.Equal(0, result.ExitCode);
        var token = result.Stdout.Trim();
        Assert.StartsWith("cbt_", token);
        Assert.DoesNotContain(token, result.Stderr);
        var list = await Brokerctl.RunAsync("creds", "list", "--addr", broker.GrpcAddress, "--token", token);
        Assert.Equal(0, list.ExitCode);
    }
}
