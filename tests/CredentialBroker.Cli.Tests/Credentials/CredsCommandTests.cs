using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Credentials;

public sealed class CredsCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task List_AsOwner_ShowsOwnCredentialInTable()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world);

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "creds", "list", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("PREFIX", lines[0]);
        Assert.Contains("EXPIRES", lines[0]);
        Assert.Contains(issued.Credential.Prefix, lines[1]);
        Assert.Contains(world.Purpose.Name, lines[1]);
        Assert.Contains(world.Provider.Name, lines[1]);
        Assert.Contains("active", lines[1]);
        Assert.Contains("in 15m", lines[1]);
        Assert.Contains(issued.Credential.ExpiresAt.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss"), lines[1]);
        Assert.DoesNotContain(issued.Secret, result.Stdout);
    }

    [Fact]
    public async Task List_SmallPages_FollowsNextPageToken()
    {
        var world = await broker.SeedAsync();
        for (var i = 0; i < 5; i++)
        {
            await broker.IssueAsync(world);
        }

        var result = await Brokerctl.RunAsync("-o", "json", "creds", "list", "--page-size", "2", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(5, json.RootElement.GetArrayLength());
        Assert.All(json.RootElement.EnumerateArray(), c =>
        {
            Assert.StartsWith("cbk_", c.GetProperty("prefix").GetString());
            Assert.Equal(world.Purpose.Id, c.GetProperty("purpose_id").GetString());
            Assert.True(c.TryGetProperty("expires_at", out _));
        });
        Assert.DoesNotContain("\"secret\"", result.Stdout);
    }

    [Fact]
    public async Task Renew_AsOwner_ExtendsAndPrintsJsonWithProtoFieldNames()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(5));

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "creds", "renew", issued.Credential.Id, "--ttl", "30m", "-o", "json", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(issued.Credential.Id, json.RootElement.GetProperty("id").GetString());
        Assert.Equal(issued.Credential.Prefix, json.RootElement.GetProperty("prefix").GetString());
        var expires = DateTimeOffset.Parse(json.RootElement.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(broker.Time.GetUtcNow().AddMinutes(30), expires, TimeSpan.FromSeconds(1));
        Assert.Equal("CREDENTIAL_STATUS_ACTIVE", json.RootElement.GetProperty("status").GetString());
        var stored = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(expires, stored.Credential.ExpiresAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task Renew_Table_PrintsNewRelativeExpiry()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world, ttl: TimeSpan.FromMinutes(5));

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "creds", "renew", issued.Credential.Id, "--ttl", "45m", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(issued.Credential.Prefix, result.Stdout);
        Assert.Contains("in 45m", result.Stdout);
    }

    [Fact]
    public async Task Show_UnknownId_ExitsThree()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("creds", "show", Guid.NewGuid().ToString(), "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("error: NotFound: ", result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Revoke_One_RevokesWithReason()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world);

        var result = await Brokerctl.RunAsync("creds", "revoke", issued.Credential.Id, "--reason", "leaked in logs", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, result.ExitCode);
        var stored = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(CredentialStatus.Revoked, stored.Credential.Status);
        Assert.Equal("leaked in logs", stored.Credential.RevocationReason);
    }

    [Fact]
    public async Task Show_BadToken_ExitsFour()
    {
        var result = await Brokerctl.RunAsync("creds", "show", Guid.NewGuid().ToString(), "--addr", broker.GrpcAddress, "--token", "cbt_not-a-real-token");

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: Unauthenticated: ", result.Stderr);
    }
}
