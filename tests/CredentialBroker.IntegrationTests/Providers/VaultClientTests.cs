using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Providers.Vault;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CredentialBroker.IntegrationTests.Providers;

/// <summary>The Vault client against <see cref="FakeVault"/>: logins, renewal, KV v2, and every failure it names.</summary>
public sealed class VaultClientTests : IAsyncLifetime
{
    private const string SecretValue = "sk-root-value-that-must-never-leak";
    private readonly FakeVault _vault = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ListLoggerProvider _logs = new();
    private readonly List<string> _files = [];
    private readonly List<ServiceProvider> _providers = [];

    public Task InitializeAsync() => _vault.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        foreach (var file in _files)
        {
            File.Delete(file);
        }

        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task Read_TokenAuth_ReturnsLatestOrPinnedVersion()
    {
        _vault.Put("secret", "ai/openai", new() { ["api_key"] = "v1" });
        _vault.Put("secret", "ai/openai", new() { ["api_key"] = "v2" });
        var client = Client(o => o.TokenFile = TempFile(FakeVault.RootToken));

        var latest = await client.ReadAsync("secret", "ai/openai", null, CancellationToken.None);
        var pinned = await client.ReadAsync("secret", "ai/openai", 1, CancellationToken.None);

        Assert.Equal(("v2", 2), (latest.Data["api_key"], latest.Version));
        Assert.Equal(("v1", 1), (pinned.Data["api_key"], pinned.Version));
        Assert.DoesNotContain("v2", latest.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_ThenMetadata_ListsVersions()
    {
        var client = Client(o => o.TokenFile = TempFile(FakeVault.RootToken));

        Assert.Equal(1, await client.WriteAsync("secret", "rotating", new Dictionary<string, string> { ["k"] = "a" }, CancellationToken.None));
        Assert.Equal(2, await client.WriteAsync("secret", "rotating", new Dictionary<string, string> { ["k"] = "b" }, CancellationToken.None));
        var metadata = await client.ReadMetadataAsync("secret", "rotating", CancellationToken.None);

        Assert.Equal(2, metadata.CurrentVersion);
        Assert.Equal([1, 2], metadata.Versions);
    }

    [Fact]
    public async Task AppRoleAndKubernetes_LogIn()
    {
        _vault.Put("secret", "k", new() { ["f"] = "x" });
        var approle = Client(o => (o.AuthMethod, o.AppRoleRoleId, o.AppRoleSecretIdFile) = ("approle", FakeVault.RoleId, TempFile(FakeVault.SecretId)));
        var kubernetes = Client(o => (o.AuthMethod, o.KubernetesRole, o.KubernetesJwtFile) = ("kubernetes", FakeVault.KubernetesRole, TempFile(FakeVault.KubernetesJwt)));

        Assert.Equal("x", (await approle.ReadAsync("secret", "k", null, CancellationToken.None)).Data["f"]);
        Assert.Equal("x", (await kubernetes.ReadAsync("secret", "k", null, CancellationToken.None)).Data["f"]);
        Assert.Equal(2, _vault.Logins);
    }

    [Fact]
    public async Task Token_RenewedBeforeExpiry_AndReplacedWhenRenewalIsRefused()
    {
        _vault.Put("secret", "k", new() { ["f"] = "x" });
        _vault.TokenTtlSeconds = 60;
        var client = AppRoleClient();
        await client.ReadAsync("secret", "k", null, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(30));
        await client.ReadAsync("secret", "k", null, CancellationToken.None);
        Assert.Equal((1, 0), (_vault.Logins, _vault.Renewals));

        _time.Advance(TimeSpan.FromSeconds(15));
        await client.ReadAsync("secret", "k", null, CancellationToken.None);
        Assert.Equal((1, 1), (_vault.Logins, _vault.Renewals));

        _vault.RefuseRenewals = true;
        _time.Advance(TimeSpan.FromSeconds(45));
        await client.ReadAsync("secret", "k", null, CancellationToken.None);
        Assert.Equal((2, 2), (_vault.Logins, _vault.Renewals));
    }

    [Fact]
    public async Task TokenExpiredInVault_LogsInAgainOnce()
    {
        _vault.Put("secret", "k", new() { ["f"] = "x" });
        var client = AppRoleClient();
        await client.ReadAsync("secret", "k", null, CancellationToken.None);

        _vault.ExpireAllTokens();

        Assert.Equal("x", (await client.ReadAsync("secret", "k", null, CancellationToken.None)).Data["f"]);
        Assert.Equal(2, _vault.Logins);
    }

    [Fact]
    public async Task Failures_AreTypedAndNameThePathButNoSecret()
    {
        _vault.Put("secret", "ai/openai", new() { ["api_key"] = SecretValue });
        _vault.Put("secret", "denied", new() { ["api_key"] = SecretValue });
        _vault.DeniedPaths["secret/denied"] = true;
        var client = AppRoleClient(timeout: TimeSpan.FromMilliseconds(300));
        await client.ReadAsync("secret", "ai/openai", null, CancellationToken.None);

        var errors = new List<VaultException>
        {
            await Fails(client, "missing", VaultErrorKind.NotFound),
            await Fails(client, "denied", VaultErrorKind.PermissionDenied),
        };
        _vault.FailNext(500);
        errors.Add(await Fails(client, "ai/openai", VaultErrorKind.Unavailable));
        _vault.Sealed = true;
        errors.Add(await Fails(client, "ai/openai", VaultErrorKind.Sealed));
        _vault.Sealed = false;
        _vault.Delay = TimeSpan.FromSeconds(2);
        errors.Add(await Fails(client, "ai/openai", VaultErrorKind.Timeout));

        Assert.Contains("Vault is sealed", errors[3].Message, StringComparison.Ordinal);
        Assert.All(errors, e => Assert.Contains("mount 'secret'", e.Message, StringComparison.Ordinal));
        var secrets = _vault.IssuedTokens.Append(FakeVault.SecretId).Append(SecretValue).ToList();
        var text = string.Join('\n', errors.Select(e => e.ToString()).Concat(_logs.Lines));
        Assert.NotEmpty(_logs.Lines);
        Assert.All(secrets, s => Assert.DoesNotContain(s, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadLogin_IsRefusedWithoutEchoingTheSecretId()
    {
        var client = Client(o => (o.AuthMethod, o.AppRoleRoleId, o.AppRoleSecretIdFile) = ("approle", FakeVault.RoleId, TempFile("wrong-secret-id-123456")));

        var error = await Assert.ThrowsAsync<VaultException>(() => client.ReadAsync("secret", "k", null, CancellationToken.None));

        Assert.Contains("AppRole login", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-id-123456", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<VaultException> Fails(IVaultClient client, string path, VaultErrorKind kind)
    {
        var error = await Assert.ThrowsAsync<VaultException>(() => client.ReadAsync("secret", path, null, CancellationToken.None));
        Assert.Equal(kind, error.Kind);
        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
        return error;
    }

    private IVaultClient AppRoleClient(TimeSpan? timeout = null) => Client(o =>
    {
        (o.AuthMethod, o.AppRoleRoleId, o.AppRoleSecretIdFile) = ("approle", FakeVault.RoleId, TempFile(FakeVault.SecretId));
        o.RequestTimeout = timeout ?? o.RequestTimeout;
    });

    private IVaultClient Client(Action<VaultOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(_logs));
        services.AddSingleton<TimeProvider>(_time);
        services.AddOptions<BrokerOptions>().Configure(o =>
        {
            o.Vault.Address = _vault.Address;
            configure(o.Vault);
        });
        services.AddVault();
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<IVaultClient>();
    }

    private string TempFile(string content)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, content);
        _files.Add(path);
        return path;
    }
}
