using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Providers;

/// <summary>A gateway broker whose Vault is a <see cref="FakeVault"/> (AppRole login, keys re-read after 1 s).</summary>
public sealed class VaultGatewayFixture : GatewayFixture
{
    private readonly string _secretIdFile = Path.GetTempFileName();

    public FakeVault Vault { get; } = new();

    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:Vault:Address"] = Vault.Address,
        ["Broker:Vault:AuthMethod"] = "approle",
        ["Broker:Vault:AppRoleRoleId"] = FakeVault.RoleId,
        ["Broker:Vault:AppRoleSecretIdFile"] = _secretIdFile,
        ["Broker:Vault:RootKeyCacheTtl"] = "00:00:01",
        ["Broker:Vault:RequestTimeout"] = "00:00:02",
    };

    public override async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_secretIdFile, FakeVault.SecretId);
        await Vault.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Vault.DisposeAsync();
        File.Delete(_secretIdFile);
    }

    /// <summary>A gateway world whose provider's root key is the Vault reference <paramref name="reference"/>.</summary>
    public Task<World> SeedVaultAsync(string reference) =>
        SeedAsync(
            p =>
            {
                p.AllowedModels.Clear();
                p.AllowedModels.Add("gpt-*");
                p.Gateway = new GatewayPolicy();
            },
            p =>
            {
                p.Name = "vault-" + Guid.NewGuid().ToString("N")[..8];
                p.BaseUrl = Upstream.BaseUrl;
                p.RootKey = string.Empty;
                p.RootKeyRef = reference;
                p.Prices.Add(new ModelPrice { Model = "gpt-*", InputMicroUsdPerMillion = 1, OutputMicroUsdPerMillion = 1, MaxOutputTokens = 1000 });
            });
}
