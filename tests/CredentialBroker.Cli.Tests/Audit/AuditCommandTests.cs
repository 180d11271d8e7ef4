using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;

namespace CredentialBroker.Cli.Tests.Audit;

public sealed class AuditCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task List_ByAction_ShowsMatchingEvents()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world);

        var result = await Brokerctl.RunAsync("audit", "list", "--action", "credential.issued", "--target", issued.Credential.Id, "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("credential.issued", lines[1]);
        Assert.Contains(issued.Credential.Id, lines[1]);
        Assert.DoesNotContain(issued.Secret, result.Stdout);
    }

    [Fact]
    public async Task Verify_IntactChain_ExitsZero()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("audit", "verify", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("ok: ", result.Stdout);
    }
}
