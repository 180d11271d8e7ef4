using System.Text.RegularExpressions;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Revocation;

public sealed class RevokeCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Revoke_ByOwnerWithYes_RevokesReportsCountAndCompletion()
    {
        var world = await broker.SeedAsync();
        var other = await broker.SeedAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await broker.IssueAsync(world)).Credential.Id);
        }

        var survivor = (await broker.IssueAsync(other)).Credential.Id;

        var result = await Brokerctl.RunAsync("revoke", "--owner", world.Owner.Id, "--reason", "r", "--yes", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var match = Regex.Match(result.Stdout, @"Revoked 3 credential\(s\); revocation ([0-9a-f-]{36})");
        Assert.True(match.Success, result.ToString());
        Assert.Contains("Marking completed at", result.Stdout);
        Assert.Contains("3/3 marked", result.Stdout);
        Assert.Contains("marking: ", result.Stderr);
        Assert.Equal(3, await broker.CountAsync("credentials", $"revocation_id = '{match.Groups[1].Value}' AND status = 'revoked'"));
        var security = BrokerFixture.Bearer(world.SecurityToken);
        Assert.Equal(CredentialStatus.Active, (await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = survivor }, security)).Credential.Status);
    }

    [Fact]
    public async Task Revoke_DryRun_CountsAndChangesNothing()
    {
        var world = await broker.SeedAsync();
        await broker.IssueAsync(world);
        await broker.IssueAsync(world);
        var before = await broker.SnapshotAsync();

        var result = await Brokerctl.RunAsync("revoke", "--owner", world.Owner.Id, "--reason", "r", "--dry-run", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("2 credential(s) match", result.Stdout);
        Assert.Equal(before, await broker.SnapshotAsync());
    }

    [Fact]
    public async Task Revoke_NotInteractiveWithoutYes_ExitsTwoAndChangesNothing()
    {
        var world = await broker.SeedAsync();
        await broker.IssueAsync(world);
        var before = await broker.SnapshotAsync();

        var result = await Brokerctl.RunAsync("revoke", "--owner", world.Owner.Id, "--reason", "r", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--yes", result.Stderr);
        Assert.Equal(before, await broker.SnapshotAsync());
    }

    [Fact]
    public async Task Revoke_InteractiveAnswerNo_ChangesNothing()
    {
        var world = await broker.SeedAsync();
        await broker.IssueAsync(world);
        var before = await broker.SnapshotAsync();

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(input: "n\n"), "revoke", "--owner", world.Owner.Id, "--reason", "r", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Revoke 1 credentials? [y/N]", result.Stderr);
        Assert.Equal(before, await broker.SnapshotAsync());
    }

    [Fact]
    public async Task Revoke_InteractiveAnswerYes_Revokes()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world, labels: new Dictionary<string, string> { ["team"] = "blue" });
        await broker.IssueAsync(world, labels: new Dictionary<string, string> { ["team"] = "red" });

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(input: "y\n"), "revoke", "--owner", world.Owner.Id, "--label", "team=blue", "--reason", "r", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Revoked 1 credential(s)", result.Stdout);
        var stored = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(CredentialStatus.Revoked, stored.Credential.Status);
    }

    [Fact]
    public async Task Revoke_AsOwner_ExitsFour()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("revoke", "--owner", world.Owner.Id, "--reason", "r", "--yes", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: PermissionDenied: ", result.Stderr);
    }
}
