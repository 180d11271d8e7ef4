using System.Security.Cryptography;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Delivery;
using CredentialBroker.V1;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Delivery;

/// <summary>Master-key rotation re-wraps admin keys and pool keys too, not only root keys. (Own fixture: the old key stops working.)</summary>
public sealed class DeliveryMasterKeyRotationTests(DirectDeliveryFixture broker) : IClassFixture<DirectDeliveryFixture>
{
    [Fact]
    public async Task NewMasterKey_RewrapsAdminAndPoolKeys_AndTheyStillDecrypt()
    {
        var openAi = await broker.SeedDirectAsync();
        var anthropic = await broker.SeedDirectAsync("anthropic");
        await broker.Admin.AddProviderKeysAsync(new AddProviderKeysRequest { ProviderId = anthropic.Provider.Id, Keys = { new ProviderKey { KeyId = "apikey_rot", KeySecret = "sk-ant-rotated-pool" } } }, broker.AdminAuth);
        var adminBefore = await ScalarAsync($"SELECT admin_key_envelope FROM providers WHERE id = '{openAi.Provider.Id}'");
        var poolBefore = await ScalarAsync("SELECT key_envelope FROM provider_pool_keys WHERE upstream_id = 'apikey_rot'");

        await using var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), BrokerFixture.FreeAddress(), new Dictionary<string, string?>
        {
            ["Broker:MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Broker:PreviousMasterKeys:0"] = BrokerFixture.MasterKey,
        });

        var adminAfter = await ScalarAsync($"SELECT admin_key_envelope FROM providers WHERE id = '{openAi.Provider.Id}'");
        var poolAfter = await ScalarAsync("SELECT key_envelope FROM provider_pool_keys WHERE upstream_id = 'apikey_rot'");
        Assert.NotEqual(adminBefore.Split('.')[1], adminAfter.Split('.')[1]);
        Assert.Equal(adminBefore.Split('.')[3], adminAfter.Split('.')[3]);
        Assert.NotEqual(poolBefore.Split('.')[1], poolAfter.Split('.')[1]);
        await using var scope = replica.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Server.Persistence.BrokerDbContext>();
        var provider = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(db.Providers, p => p.Id == Guid.Parse(openAi.Provider.Id));
        var target = await replica.Services.GetRequiredService<DirectDelivery>().TargetAsync(provider, CancellationToken.None);
        Assert.Equal(FakeProviderAdmin.OpenAiAdminKey, target.AdminKey);
        await replica.StopAsync();
    }

    private async Task<string> ScalarAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
