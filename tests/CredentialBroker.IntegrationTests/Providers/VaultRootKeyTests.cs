using System.Collections.Concurrent;
using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Providers;

/// <summary>Providers whose root key lives in Vault: registration checks, use by the gateway, rotation without downtime.</summary>
public sealed class VaultRootKeyTests(VaultGatewayFixture broker) : IClassFixture<VaultGatewayFixture>
{
    [Fact]
    public async Task RegisterWithVaultRef_GatewayCallsWithTheKeyFromVault_AndNeverStoresOrReturnsIt()
    {
        var path = Unique();
        broker.Vault.Put("secret", path, new() { ["api_key"] = "sk-from-vault-1" });
        var world = await broker.SeedVaultAsync($"vault:secret/{path}#api_key");
        broker.Upstream.ClearRequests();

        using var response = await broker.PostAsync("/openai/v1/chat/completions", await broker.KeyAsync(world), GatewayFixture.Chat());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-from-vault-1", Assert.Single(broker.Upstream.Requests).Headers["Authorization"]);
        Assert.Equal($"vault:secret/{path}#api_key", world.Provider.RootKeyRef);
        Assert.True(world.Provider.HasRootKey);
        Assert.Equal(1, await broker.CountAsync("providers", $"id = '{world.Provider.Id}' AND root_key_envelope IS NULL AND root_key_ref IS NOT NULL"));
        Assert.Equal(0, await broker.CountAsync("audit_events", "metadata::text LIKE '%sk-from-vault%'"));
    }

    [Fact]
    public async Task RegisterWithBadRef_IsRefusedAndWritesNothing()
    {
        var path = Unique();
        broker.Vault.Put("secret", path, new() { ["api_key"] = "k" });
        broker.Vault.DeniedPaths["secret/" + path + "-denied"] = true;
        broker.Vault.Put("secret", path + "-denied", new() { ["api_key"] = "k" });
        var before = await broker.SnapshotAsync();

        await Refused(StatusCode.InvalidArgument, "secret/" + path + "#api_key", "root_key_ref");
        await Refused(StatusCode.InvalidArgument, $"vault:other/{path}#api_key", "only mount 'secret'");
        await Refused(StatusCode.InvalidArgument, $"vault:secret/{path}#api_key@0", "positive");
        await Refused(StatusCode.FailedPrecondition, $"vault:secret/{path}-missing#api_key", "404");
        await Refused(StatusCode.FailedPrecondition, $"vault:secret/{path}#other_field", "no field 'other_field'");
        await Refused(StatusCode.FailedPrecondition, $"vault:secret/{path}-denied#api_key", "403 permission denied");
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.Admin.RegisterProviderAsync(
            new RegisterProviderRequest { Name = "both-" + path[..6], Kind = "openai", BaseUrl = "https://x.example", RootKey = "sk", RootKeyRef = $"vault:secret/{path}#api_key" }, broker.AdminAuth), "not both");

        Assert.Equal(before, await broker.SnapshotAsync());
    }

    [Fact]
    public async Task VaultSealed_GatewayAnswers503NamingVault_AndRecoversWhenUnsealed()
    {
        var path = Unique();
        broker.Vault.Put("secret", path, new() { ["api_key"] = "sk-sealed-test" });
        var world = await broker.SeedVaultAsync($"vault:secret/{path}#api_key");
        var key = await broker.KeyAsync(world);
        broker.Vault.Sealed = true;
        try
        {
            using var sealedResponse = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat());
            var (code, message) = await GatewayFixture.ErrorAsync(sealedResponse);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, sealedResponse.StatusCode);
            Assert.Equal("provider_not_configured", code);
            Assert.Contains("Vault is sealed", message, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-sealed-test", message, StringComparison.Ordinal);
        }
        finally
        {
            broker.Vault.Sealed = false;
        }

        using var response = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UpdateProvider_NewPin_TakesEffectOnTheNextRequest()
    {
        var path = Unique();
        broker.Vault.Put("secret", path, new() { ["api_key"] = "sk-pinned-1" });
        broker.Vault.Put("secret", path, new() { ["api_key"] = "sk-pinned-2" });
        var world = await broker.SeedVaultAsync($"vault:secret/{path}#api_key@1");
        var key = await broker.KeyAsync(world);
        using (var first = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await broker.Admin.UpdateProviderAsync(new UpdateProviderRequest { Id = world.Provider.Id, RootKeyRef = $"vault:secret/{path}#api_key@2", UpdateMask = new FieldMask { Paths = { "root_key_ref" } } }, broker.AdminAuth);
        broker.Upstream.ClearRequests();
        using var second = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat());

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("Bearer sk-pinned-2", Assert.Single(broker.Upstream.Requests).Headers["Authorization"]);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'provider.updated' AND target_id = '{world.Provider.Id}' AND metadata->>'root_key' LIKE '%@2'"));
    }

    /// <summary>
    /// Calls run without pause while Vault gets a new version: the gateway picks it up within
    /// RootKeyCacheTtl, and once the old key is revoked upstream no call still uses it. No call fails.
    /// </summary>
    [Fact]
    public async Task RotationUnderLoad_NewVersionInVault_NoRequestFails()
    {
        var path = Unique();
        broker.Vault.Put("secret", path, new() { ["api_key"] = "sk-rotate-old" });
        var world = await broker.SeedVaultAsync($"vault:secret/{path}#api_key");
        var key = await broker.KeyAsync(world);
        broker.Upstream.AcceptedKeys["sk-rotate-old"] = true;
        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat());
                statuses.Add(response.StatusCode);
            }
        })).ToList();
        try
        {
            await Task.Delay(500);
            broker.Upstream.AcceptedKeys["sk-rotate-new"] = true;
            broker.Vault.Put("secret", path, new() { ["api_key"] = "sk-rotate-new" });
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline && !broker.Upstream.Requests.Any(r => r.Headers.GetValueOrDefault("Authorization") == "Bearer sk-rotate-new"))
            {
                await Task.Delay(50);
            }

            // Calls that started with the old key finish; then the provider revokes it.
            await Task.Delay(500);
            broker.Upstream.AcceptedKeys.TryRemove("sk-rotate-old", out _);
            broker.Upstream.ClearRequests();
            await Task.Delay(700);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            broker.Upstream.AcceptedKeys.Clear();
        }

        Assert.True(statuses.Count > 20, $"only {statuses.Count} calls ran");
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.NotEmpty(broker.Upstream.Requests);
        Assert.All(broker.Upstream.Requests, r => Assert.Equal("Bearer sk-rotate-new", r.Headers["Authorization"]));
    }

    private async Task Refused(StatusCode code, string reference, string messagePart) =>
        await RpcAssert.FailsAsync(code, broker.Admin.RegisterProviderAsync(
            new RegisterProviderRequest { Name = "bad-" + Guid.NewGuid().ToString("N")[..8], Kind = "openai", BaseUrl = "https://x.example", RootKeyRef = reference }, broker.AdminAuth), messagePart);

    private static string Unique() => "ai/" + Guid.NewGuid().ToString("N")[..12];
}
