using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Credentials;

public sealed class CredsDelegateTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Delegate_AsWorkload_PrintsTheChildsKeyOnce_WithItsScopeAndBudget()
    {
        var world = await SeedAsync();
        var parent = await broker.IssueAsync(world, TimeSpan.FromMinutes(30));

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "-o", "json", "creds", "delegate", parent.Credential.Id,
            "--model", "gpt-4o-mini", "--ttl", "10m", "--lifetime-usd", "0.50", "--label", "agent=summariser", "--description", "summariser sub-agent",
            "--addr", broker.GrpcAddress, "--token", world.WorkloadToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var secret = json.RootElement.GetProperty("secret").GetString()!;
        Assert.StartsWith("cbk_", secret);
        var credential = json.RootElement.GetProperty("credential");
        Assert.Equal(parent.Credential.Id, credential.GetProperty("parent_id").GetString());
        Assert.Equal(1, credential.GetProperty("depth").GetInt32());
        Assert.Equal("gpt-4o-mini", credential.GetProperty("models")[0].GetString());
        Assert.Equal(500_000, long.Parse(credential.GetProperty("budgets")[0].GetProperty("max_micro_usd").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        var expires = DateTimeOffset.Parse(credential.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(broker.Time.GetUtcNow().AddMinutes(10), expires, TimeSpan.FromSeconds(1));

        var shown = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "creds", "show", credential.GetProperty("id").GetString()!, "--addr", broker.GrpcAddress, "--token", world.OwnerToken);
        Assert.Contains("parent:", shown.Stdout);
        Assert.Contains("$0.5/lifetime", shown.Stdout);
        Assert.DoesNotContain(secret, shown.Stdout);
    }

    [Fact]
    public async Task Delegate_TableOutput_ShowsTheKey_AndARefusalNamesTheLimit()
    {
        var world = await SeedAsync();
        var parent = await broker.IssueAsync(world, TimeSpan.FromMinutes(30));

        var ok = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "creds", "delegate", parent.Credential.Id, "--addr", broker.GrpcAddress, "--token", world.OwnerToken);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("depth 1", ok.Stdout);
        Assert.Contains("key (shown once): cbk_", ok.Stdout);

        var tooLong = await Brokerctl.RunAsync("creds", "delegate", parent.Credential.Id, "--ttl", "2h", "--addr", broker.GrpcAddress, "--token", world.WorkloadToken);
        Assert.Equal(1, tooLong.ExitCode);
        Assert.Contains("InvalidArgument", tooLong.Stderr);
        Assert.Contains("may not outlive its parent", tooLong.Stderr);
    }

    [Fact]
    public async Task Usage_IncludeDescendants_OnlyWithACredential()
    {
        var world = await SeedAsync();
        var parent = await broker.IssueAsync(world, TimeSpan.FromMinutes(30));

        var rolled = await Brokerctl.RunAsync("-o", "json", "usage", "--credential", parent.Credential.Id, "--include-descendants", "--window", "lifetime",
            "--addr", broker.GrpcAddress, "--token", world.OwnerToken);
        var refused = await Brokerctl.RunAsync("usage", "--purpose", world.Purpose.Id, "--include-descendants", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.True(rolled.ExitCode == 0, rolled.ToString());
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--include-descendants applies to --credential only", refused.Stderr);
    }

    private Task<World> SeedAsync() => broker.SeedAsync(p => p.Gateway = new GatewayPolicy { MaxDelegationDepth = 1 });
}
