using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Delivery;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Admin;

/// <summary>brokerctl for direct delivery: purpose delivery, provider admin settings, the key pool, irrevocable credentials and shadow keys.</summary>
public sealed class DeliveryCommandTests(DirectDeliveryFixture broker) : IClassFixture<DirectDeliveryFixture>
{
    private string[] Auth => ["--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken];

    [Fact]
    public async Task PurposesCreate_DeliveryDirect_FromYaml_AndABadValueIsAUsageError()
    {
        var world = await broker.SeedAsync();
        var path = Path.Combine(Path.GetTempPath(), $"purpose-{Guid.NewGuid():N}.yaml");
        var yaml = $"""
            name: direct-{Guid.NewGuid():N}
            description: batch jobs outside the gateway
            owner_id: {world.Owner.Id}
            risk_tier: internal
            default_ttl: 10m
            max_ttl: 1h
            allowed_providers: [{world.Provider.Name}]
            delivery: DELIVERY
            """;
        try
        {
            await File.WriteAllTextAsync(path, yaml.Replace("DELIVERY", "direct", StringComparison.Ordinal));
            var created = await Brokerctl.RunAsync(["-o", "json", "purposes", "create", "-f", path, .. Auth]);
            await File.WriteAllTextAsync(path, yaml.Replace("DELIVERY", "carrier-pigeon", StringComparison.Ordinal));
            var bad = await Brokerctl.RunAsync(["purposes", "create", "-f", path, .. Auth]);

            Assert.True(created.ExitCode == 0, created.ToString());
            Assert.Equal("direct", JsonDocument.Parse(created.Stdout).RootElement.GetProperty("delivery").GetString());
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("delivery: 'carrier-pigeon' is not gateway or direct", bad.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ProvidersRegister_AdminKeyFromEnvironment_AndProjectId()
    {
        var env = Brokerctl.Environment(variables: new Dictionary<string, string> { ["ADMIN_KEY"] = FakeProviderAdmin.OpenAiAdminKey });
        var name = "cli-direct-" + Guid.NewGuid().ToString("N")[..8];

        var result = await Brokerctl.RunAsync(env, ["-o", "json", "providers", "register", "--name", name, "--kind", "openai", "--base-url", broker.AdminApi.BaseUrl,
            "--admin-key-env", "ADMIN_KEY", "--project-id", FakeProviderAdmin.ProjectId, .. Auth]);
        var vault = await Brokerctl.RunAsync(["providers", "register", "--name", name + "-v", "--kind", "openai", "--base-url", "https://x.example", "--root-key-ref", "vault:secret/a#k", .. Auth]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var provider = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.True(provider.GetProperty("has_admin_key").GetBoolean());
        Assert.Equal(FakeProviderAdmin.ProjectId, provider.GetProperty("project_id").GetString());
        Assert.DoesNotContain(FakeProviderAdmin.OpenAiAdminKey, result.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, vault.ExitCode);
        Assert.Contains("Broker:Vault:Address is not configured", vault.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvidersAddKeys_FromFile_FillsThePool()
    {
        var world = await broker.SeedDirectAsync("anthropic");
        var path = Path.Combine(Path.GetTempPath(), $"pool-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, """
            - {key_id: apikey_cli_1, key_secret: sk-ant-cli-secret-1}
            - {key_id: apikey_cli_2, key_secret: sk-ant-cli-secret-2}
            """);
        try
        {
            var result = await Brokerctl.RunAsync(["providers", "add-keys", world.Provider.Id, "--keys-file", path, .. Auth]);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("added 2 key(s); 2 available", result.Stdout, StringComparison.Ordinal);
            Assert.Equal(2, await broker.CountAsync("provider_pool_keys", $"provider_id = '{world.Provider.Id}' AND status = 'available'"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task CredsListIrrevocable_AndShadowKeys_ShowWhatSecurityMustHandle()
    {
        var world = await broker.SeedDirectAsync();
        var stuck = await broker.IssueAsync(world);
        var fine = await broker.IssueAsync(world);
        await broker.ExecuteAsync($"UPDATE upstream_keys SET state = 'irrevocable', attempts = 3 WHERE credential_id = '{stuck.Credential.Id}'");
        var foreign = broker.AdminApi.AddForeignAccount("cli-legacy");
        await broker.ReconcileAsync();

        var listed = await Brokerctl.RunAsync(["-o", "json", "creds", "list", "--irrevocable", "--token", world.SecurityToken, "--addr", broker.GrpcAddress]);
        var shadows = await Brokerctl.RunAsync(["providers", "shadow-keys", "--provider", world.Provider.Name, "--token", world.SecurityToken, "--addr", broker.GrpcAddress]);

        Assert.True(listed.ExitCode == 0, listed.ToString());
        var ids = JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Contains(stuck.Credential.Id, ids);
        Assert.DoesNotContain(fine.Credential.Id, ids);
        Assert.True(shadows.ExitCode == 0, shadows.ToString());
        Assert.Contains(foreign, shadows.Stdout, StringComparison.Ordinal);
        Assert.Contains("cli-legacy", shadows.Stdout, StringComparison.Ordinal);
    }
}
