using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Delivery;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Delivery;

/// <summary>Anthropic direct delivery: a pool of pre-created keys, one per credential, disabled upstream when the credential ends.</summary>
public sealed class AnthropicPoolTests(DirectDeliveryFixture broker) : IClassFixture<DirectDeliveryFixture>
{
    [Fact]
    public async Task AddProviderKeys_BadInput_IsRefusedAndWritesNothing()
    {
        var world = await broker.SeedDirectAsync("anthropic");
        var openAi = await broker.SeedDirectAsync();
        await AddAsync(world, "apikey_dup");
        var before = await broker.CountAsync("provider_pool_keys");

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.Admin.AddProviderKeysAsync(new AddProviderKeysRequest { ProviderId = world.Provider.Id }, broker.AdminAuth), "1-500 keys");
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.Admin.AddProviderKeysAsync(Request(world, "apikey_x", "apikey_x"), broker.AdminAuth), "more than once");
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, broker.Admin.AddProviderKeysAsync(Request(openAi, "apikey_y"), broker.AdminAuth), "anthropic");
        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, broker.Admin.AddProviderKeysAsync(Request(world, "apikey_new", "apikey_dup"), broker.AdminAuth), "never assigned twice");

        Assert.Equal(before, await broker.CountAsync("provider_pool_keys"));
        Assert.Equal(0, await broker.CountAsync("audit_events", "metadata::text LIKE '%sk-ant-pool-%'"));
        Assert.Equal(0, await broker.CountAsync("provider_pool_keys", "key_envelope LIKE '%sk-ant-pool-%'"));
    }

    [Fact]
    public async Task Issue_AssignsOneKeyPerCredential_ConcurrentlyWithoutDoubleAssignment_ThenExhausted()
    {
        var world = await broker.SeedDirectAsync("anthropic");
        var keys = Enumerable.Range(0, 5).Select(i => $"apikey_c{i}_{Guid.NewGuid():N}"[..24]).ToArray();
        var added = await AddAsync(world, keys);
        Assert.Equal(5, added.Available);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                return (await broker.IssueAsync(world)).Secret;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                Assert.Contains("AddProviderKeys", ex.Status.Detail, StringComparison.Ordinal);
                return null;
            }
        }));

        var secrets = results.OfType<string>().ToList();
        Assert.Equal(5, secrets.Count);
        Assert.Equal(keys.Select(Secret).Order(), secrets.Order());
        Assert.Equal(5, await broker.CountAsync("provider_pool_keys", $"provider_id = '{world.Provider.Id}' AND status = 'assigned' AND credential_id IS NOT NULL"));
        Assert.Equal(5, await broker.CountAsync("upstream_keys", $"provider_id = '{world.Provider.Id}' AND kind = 'anthropic_pool_key'"));
    }

    [Fact]
    public async Task Revoke_DisablesTheKeyUpstream_AndItIsNeverReassigned()
    {
        var world = await broker.SeedDirectAsync("anthropic");
        var keyId = "apikey_r_" + Guid.NewGuid().ToString("N")[..12];
        broker.AdminApi.AddAnthropicKey(keyId, "pool key");
        await AddAsync(world, keyId);
        var issued = await broker.IssueAsync(world);
        Assert.Equal(Secret(keyId), issued.Secret);

        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id, Reason = "done" }, BrokerFixture.Bearer(world.WorkloadToken));
        await broker.WaitForAsync(issued.Credential.Id, "state", "deleted");

        Assert.Equal("inactive", broker.AdminApi.AnthropicKeyStatus(keyId));
        var disable = broker.AdminApi.Requests.Last(r => r.Path == $"/v1/organizations/api_keys/{keyId}");
        Assert.Equal(("POST", FakeProviderAdmin.AnthropicAdminKey, "2023-06-01"), (disable.Method, disable.Headers["x-api-key"], disable.Headers["anthropic-version"]));
        Assert.Contains("\"inactive\"", disable.Body, StringComparison.Ordinal);
        Assert.Equal(1, await broker.CountAsync("provider_pool_keys", $"upstream_id = '{keyId}' AND status = 'disabled'"));
        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, () => broker.IssueAsync(world), "pool");
    }

    [Fact]
    public async Task Reconcile_FlagsActiveKeysOutsideThePool()
    {
        var world = await broker.SeedDirectAsync("anthropic");
        var pooled = "apikey_p_" + Guid.NewGuid().ToString("N")[..12];
        var stray = "apikey_s_" + Guid.NewGuid().ToString("N")[..12];
        broker.AdminApi.AddAnthropicKey(pooled, "pooled");
        broker.AdminApi.AddAnthropicKey(stray, "someone's laptop");
        await AddAsync(world, pooled);

        await broker.Services.GetRequiredService<ShadowKeyReconciler>().ReconcileAsync(CancellationToken.None);

        var listed = await broker.Admin.ListShadowKeysAsync(new ListShadowKeysRequest { Provider = world.Provider.Name }, broker.AdminAuth);
        Assert.Contains(listed.ShadowKeys, s => s.UpstreamId == stray && s.Name == "someone's laptop");
        Assert.DoesNotContain(listed.ShadowKeys, s => s.UpstreamId == pooled);
    }

    private static string Secret(string keyId) => "sk-ant-pool-" + keyId;

    private static AddProviderKeysRequest Request(World world, params string[] keyIds) =>
        new() { ProviderId = world.Provider.Id, Keys = { keyIds.Select(id => new ProviderKey { KeyId = id, KeySecret = Secret(id) }) } };

    private async Task<AddProviderKeysResponse> AddAsync(World world, params string[] keyIds) =>
        await broker.Admin.AddProviderKeysAsync(Request(world, keyIds), broker.AdminAuth);
}
