using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;

namespace CredentialBroker.Cli.Tests.Audit;

/// <summary>Breaks the chain, so it has a broker of its own.</summary>
public sealed class AuditVerifyTamperTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Verify_EditedEvent_ExitsOneWithProblemAndSeq()
    {
        var world = await broker.SeedAsync();
        await broker.IssueAsync(world);
        // Sealing runs shortly after commit; wait until the event to edit is in the chain.
        for (var i = 0; i < 100 && await broker.CountAsync("audit_events", "seq = 2") == 0; i++)
        {
            await Task.Delay(100);
        }

        await broker.ExecuteAsync(
            "ALTER TABLE audit_events DISABLE TRIGGER USER; UPDATE audit_events SET reason = 'edited' WHERE seq = 2; ALTER TABLE audit_events ENABLE TRIGGER USER;");

        var result = await Brokerctl.RunAsync("audit", "verify", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("audit chain broken at seq 2", result.Stderr);
    }
}
