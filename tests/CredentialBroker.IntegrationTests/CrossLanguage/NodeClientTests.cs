using CredentialBroker.IntegrationTests.Infrastructure;

namespace CredentialBroker.IntegrationTests.CrossLanguage;

/// <summary>
/// A client in another language completes the basic flow with nothing but <c>protos/</c>: the
/// Node.js script in <c>tests/node-client</c> (set-up as admin, issue, renew, revoke, mass
/// revocation as security) against a real broker over plaintext HTTP/2.
/// </summary>
public sealed class NodeClientTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task NodeClient_CompletesFlowUsingOnlyProtos_Succeeds()
    {
        var flow = await NodeScript.RunAsync("flow.mjs", new Dictionary<string, string>
        {
            ["BROKER_ADDR"] = new Uri(broker.GrpcAddress).Authority,
            ["BROKER_ADMIN_TOKEN"] = BrokerFixture.BootstrapToken,
        });

        Assert.True(flow.ExitCode == 0, $"The Node.js client flow failed.\n{flow}");
        Assert.Contains("PASS node client flow", flow.StandardOutput, StringComparison.Ordinal);
    }
}
