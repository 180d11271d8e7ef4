using System.Net;
using System.Security.Cryptography;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.IntegrationTests.Gateway;

/// <summary>Rotating a provider's root key and the broker's master key without downtime.</summary>
public sealed class RootKeyRotationTests(GatewayFixture broker) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task UpdateProvider_RootKey_NextCallUsesTheNewKey()
    {
        var world = await broker.SeedGatewayAsync();
        var key = await broker.KeyAsync(world);
        using (var first = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await broker.Admin.UpdateProviderAsync(new UpdateProviderRequest { Id = world.Provider.Id, RootKey = "sk-rotated-root", UpdateMask = new FieldMask { Paths = { "root_key" } } }, broker.AdminAuth);
        broker.Upstream.ClearRequests();
        using var second = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat());

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("Bearer sk-rotated-root", Assert.Single(broker.Upstream.Requests).Headers["Authorization"]);
        Assert.Equal(0, await broker.CountAsync("audit_events", "metadata::text LIKE '%sk-rotated-root%' OR reason LIKE '%sk-rotated-root%'"));
    }

    [Fact]
    public async Task NewMasterKey_WithThePreviousOneListed_RewrapsAtStartupAndKeepsServing()
    {
        var world = await broker.SeedGatewayAsync();
        var key = await broker.KeyAsync(world);
        var before = await EnvelopeAsync(world.Provider.Id);
        var newMaster = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var replicaGateway = BrokerFixture.FreeAddress();

        await using (var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), replicaGateway, new Dictionary<string, string?>
        {
            ["Broker:MasterKey"] = newMaster,
            ["Broker:PreviousMasterKeys:0"] = BrokerFixture.MasterKey,
        }))
        {
            var after = await EnvelopeAsync(world.Provider.Id);
            Assert.NotEqual(before.Split('.')[1], after.Split('.')[1]);
            Assert.Equal(before.Split('.')[3], after.Split('.')[3]);
            Assert.True(await broker.CountAsync("audit_events", $"action = 'provider.root_key_rewrapped' AND target_id = '{world.Provider.Id}'") == 1);

            broker.Upstream.ClearRequests();
            using var request = new HttpRequestMessage(HttpMethod.Post, replicaGateway + "/openai/v1/chat/completions")
            {
                Content = new StringContent((string)GatewayFixture.Chat(), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", key);
            using var response = await broker.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("Bearer sk-test-root-", Assert.Single(broker.Upstream.Requests).Headers["Authorization"], StringComparison.Ordinal);
            await replica.StopAsync();
        }
    }

    private async Task<string> EnvelopeAsync(string providerId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT root_key_envelope FROM providers WHERE id = '{providerId}'", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
