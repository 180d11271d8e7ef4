using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Credentials;

public sealed class CredsExpiringTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task List_ExpiringWithin_ShowsOnlyActiveCredentialsInWindow()
    {
        var world = await broker.SeedAsync();
        var soon = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(5));
        var later = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(50));
        var revoked = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(5));
        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = revoked.Credential.Id, Reason = "test" }, BrokerFixture.Bearer(world.OwnerToken));

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "creds", "list", "--expiring-within", "30m", "-o", "json", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var ids = json.RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Equal([soon.Credential.Id], ids);
        Assert.DoesNotContain(later.Credential.Id, result.Stdout);
    }

    [Fact]
    public async Task List_Provider_FiltersOnServer()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world);

        var match = await Brokerctl.RunAsync("-o", "json", "creds", "list", "--provider", world.Provider.Name, "--addr", broker.GrpcAddress, "--token", world.OwnerToken);
        var other = await Brokerctl.RunAsync("-o", "json", "creds", "list", "--provider", "no-such-provider", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, match.ExitCode);
        using (var json = JsonDocument.Parse(match.Stdout))
        {
            Assert.Equal(issued.Credential.Id, Assert.Single(json.RootElement.EnumerateArray()).GetProperty("id").GetString());
        }

        Assert.Equal(0, other.ExitCode);
        using (var json = JsonDocument.Parse(other.Stdout))
        {
            Assert.Equal(0, json.RootElement.GetArrayLength());
        }
    }

    [Fact]
    public async Task List_MalformedExpiringWithin_ExitsTwo()
    {
        var result = await Brokerctl.RunAsync("creds", "list", "--expiring-within", "soon", "--token", "t");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("invalid duration 'soon'", result.Stderr);
    }

    [Fact]
    public async Task RenewAll_RenewsOnlyCredentialsInWindow_PrintsLinesAndSummary()
    {
        var world = await broker.SeedAsync();
        var first = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(5));
        var second = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(10));
        var later = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(50));

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "creds", "renew", "--all-expiring-within", "30m", "--ttl", "45m", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("renewed " + first.Credential.Prefix, StringComparison.Ordinal) && l.Contains("in 45m"));
        Assert.Contains(lines, l => l.StartsWith("renewed " + second.Credential.Prefix, StringComparison.Ordinal) && l.Contains("in 45m"));
        Assert.Equal("2 renewed, 0 failed of 2 credential(s) expiring within 30m", lines[2]);
        var untouched = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = later.Credential.Id }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(later.Credential.ExpiresAt, untouched.Credential.ExpiresAt);
        var renewed = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = first.Credential.Id }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(broker.Time.GetUtcNow().AddMinutes(45), renewed.Credential.ExpiresAt.ToDateTimeOffset(), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task RenewAll_OneFails_ExitsOneAndReportsIt()
    {
        var world = await broker.SeedAsync();
        var ok = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(5));
        var capped = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(5));
        await broker.ExecuteAsync($"UPDATE credentials SET max_expires_at = expires_at WHERE id = '{capped.Credential.Id}'");

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "creds", "renew", "--all-expiring-within", "1h", "--addr", broker.GrpcAddress, "--token", world.WorkloadToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("renewed " + ok.Credential.Prefix, result.Stdout);
        Assert.Contains("failed  " + capped.Credential.Prefix, result.Stdout);
        Assert.Contains("FailedPrecondition", result.Stdout);
        Assert.Contains("1 renewed, 1 failed of 2 credential(s) expiring within 1h", result.Stdout);
    }

    [Fact]
    public async Task RenewAll_Json_PrintsRenewedCredentials()
    {
        var world = await broker.SeedAsync();
        var soon = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(5));
        await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(50));

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "-o", "json", "creds", "renew", "--all-expiring-within", "30m", "--addr", broker.GrpcAddress, "--token", world.WorkloadToken);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(soon.Credential.Id, Assert.Single(json.RootElement.EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task RenewAll_SecurityToken_ExitsTwo()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("creds", "renew", "--all-expiring-within", "1h", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("owner or workload token", result.Stderr);
    }

    [Theory]
    [InlineData]
    [InlineData("00000000-0000-0000-0000-000000000001", "--all-expiring-within", "1h")]
    public async Task Renew_IdAndAllOrNeither_ExitsTwo(params string[] args)
    {
        var result = await Brokerctl.RunAsync(["creds", "renew", .. args, "--token", "t"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--all-expiring-within", result.Stderr);
    }
}
