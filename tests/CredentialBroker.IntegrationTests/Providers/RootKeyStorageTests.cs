using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Providers;

public sealed class RootKeyStorageTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task RegisterProvider_StoresRootKeyEncryptedAndNeverReturnsIt()
    {
        const string rootKey = "sk-live-very-secret-root-key-1234567890";
        var provider = await broker.Admin.RegisterProviderAsync(
            new RegisterProviderRequest { Name = "anthropic-main", Kind = "anthropic", BaseUrl = "https://api.anthropic.example/", RootKey = rootKey }, broker.AdminAuth);

        Assert.True(provider.HasRootKey);
        Assert.Equal("https://api.anthropic.example", provider.BaseUrl);
        Assert.DoesNotContain(rootKey, provider.ToString());
        Assert.Equal(1, await broker.CountAsync("providers", $"name = 'anthropic-main' AND root_key_envelope LIKE 'v1.%'"));
        Assert.Equal(0, await broker.CountAsync("providers", $"root_key_envelope LIKE '%{rootKey}%'"));
        Assert.Equal(0, await broker.CountAsync("audit_events", $"metadata::text LIKE '%{rootKey}%'"));
        var listed = await broker.Admin.ListProvidersAsync(new ListProvidersRequest(), broker.AdminAuth);
        Assert.DoesNotContain(rootKey, listed.ToString());
    }
}

/// <summary>A broker started without a master key.</summary>
public sealed class NoMasterKeyBrokerFixture : BrokerFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?> { ["Broker:MasterKey"] = "" };
}

public sealed class NoMasterKeyTests(NoMasterKeyBrokerFixture broker) : IClassFixture<NoMasterKeyBrokerFixture>
{
    [Fact]
    public async Task RegisterProvider_WithRootKeyButNoMasterKey_FailsPreconditionAndWritesNothing()
    {
        var before = await broker.CountAsync("providers");

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Admin.RegisterProviderAsync(new RegisterProviderRequest { Name = "openai", Kind = "openai", BaseUrl = "https://api.openai.example", RootKey = "sk-1" }, broker.AdminAuth),
            "master key");

        Assert.Equal(before, await broker.CountAsync("providers"));
    }
}
