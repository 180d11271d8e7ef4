using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Gateway;

/// <summary>A gateway whose key cache holds only 100 keys.</summary>
public sealed class SmallCacheGatewayFixture : GatewayFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?> { ["Broker:Gateway:CacheSize"] = "100" };
}

/// <summary>
/// The gateway's maps beside its key cache (credential → cache key, ancestor → cached descendants)
/// are emptied with the cache once more than twice its size has been cached, so they stay bounded;
/// nothing a cleared cache forgets may let a key through.
/// </summary>
public sealed class GatewayCacheBoundTests(SmallCacheGatewayFixture broker) : IClassFixture<SmallCacheGatewayFixture>
{
    private const string ChatPath = "/openai/v1/chat/completions";

    [Fact]
    public async Task MoreKeysThanTwiceTheCache_KeysStillWork_AndRevokingAParentStillStopsItsChild()
    {
        var world = await broker.SeedGatewayAsync(p => p.MaxDelegationDepth = 1);
        var parent = await broker.IssueAsync(world, TimeSpan.FromMinutes(10));
        var child = await broker.Credentials.DelegateCredentialAsync(new DelegateCredentialRequest { ParentId = parent.Credential.Id }, BrokerFixture.Bearer(world.WorkloadToken));
        await AssertStatusAsync(HttpStatusCode.OK, child.Secret);

        for (var i = 0; i < 210; i++)
        {
            await AssertStatusAsync(HttpStatusCode.OK, (await broker.IssueAsync(world)).Secret);
        }

        await AssertStatusAsync(HttpStatusCode.OK, child.Secret);
        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = parent.Credential.Id, Reason = "agent compromised" }, BrokerFixture.Bearer(world.OwnerToken));

        await AssertStatusAsync(HttpStatusCode.Unauthorized, child.Secret);
        await AssertStatusAsync(HttpStatusCode.Unauthorized, parent.Secret);
    }

    private async Task AssertStatusAsync(HttpStatusCode expected, string key)
    {
        using var response = await broker.PostAsync(ChatPath, key, GatewayFixture.Chat());
        Assert.Equal(expected, response.StatusCode);
    }
}
