using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Providers.Vault;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Providers;

/// <summary>
/// The client against a real Vault (VAULT_ADDR, VAULT_TOKEN; KV v2 at VAULT_KV_MOUNT, default
/// "secret", as 'vault server -dev' has it): what <see cref="FakeVault"/> imitates must hold there.
/// </summary>
public sealed class VaultContractTests : IDisposable
{
    private readonly string _tokenFile = Path.GetTempFileName();
    private readonly ServiceProvider _services;
    private readonly string _mount = Environment.GetEnvironmentVariable("VAULT_KV_MOUNT") ?? "secret";

    public VaultContractTests()
    {
        File.WriteAllText(_tokenFile, Environment.GetEnvironmentVariable("VAULT_TOKEN") ?? string.Empty);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<BrokerOptions>().Configure(o => (o.Vault.Address, o.Vault.TokenFile) = (Environment.GetEnvironmentVariable("VAULT_ADDR"), _tokenFile));
        services.AddVault();
        _services = services.BuildServiceProvider();
    }

    [VaultFact]
    public async Task WriteReadPinAndMetadata_BehaveAsTheFakeDoes()
    {
        var client = _services.GetRequiredService<IVaultClient>();
        var path = "credentialbroker-contract/" + Guid.NewGuid().ToString("N");

        var first = await client.WriteAsync(_mount, path, new Dictionary<string, string> { ["api_key"] = "one" }, CancellationToken.None);
        var second = await client.WriteAsync(_mount, path, new Dictionary<string, string> { ["api_key"] = "two" }, CancellationToken.None);

        Assert.Equal(first + 1, second);
        Assert.Equal("two", (await client.ReadAsync(_mount, path, null, CancellationToken.None)).Data["api_key"]);
        Assert.Equal("one", (await client.ReadAsync(_mount, path, first, CancellationToken.None)).Data["api_key"]);
        Assert.Equal(second, (await client.ReadMetadataAsync(_mount, path, CancellationToken.None)).CurrentVersion);
        var missing = await Assert.ThrowsAsync<VaultException>(() => client.ReadAsync(_mount, path + "-missing", null, CancellationToken.None));
        Assert.Equal(VaultErrorKind.NotFound, missing.Kind);
        var version = await Assert.ThrowsAsync<VaultException>(() => client.ReadAsync(_mount, path, second + 5, CancellationToken.None));
        Assert.Equal(VaultErrorKind.NotFound, version.Kind);
    }

    public void Dispose()
    {
        _services.Dispose();
        File.Delete(_tokenFile);
    }
}
