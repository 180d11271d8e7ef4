using System.Text.Json;
using CredentialBroker.Cli.Admin;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests;

/// <summary>
/// The gateway commands (usage, owner limits, provider prices and updates, purpose gateway policies) against the real
/// broker. They need the server side of UsageService, SetOwnerLimits, UpdateProvider and GatewayPolicy.
/// </summary>
public sealed class GatewayCliEndToEndTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task PurposesCreate_FileWithGateway_StoresThePolicy()
    {
        var world = await broker.SeedAsync();
        using var file = new TempFile($$"""
            name: cli-gateway-{{Guid.NewGuid():N}}
            description: bounded summaries
            owner_id: {{world.Owner.Id}}
            risk_tier: internal
            default_ttl: 10m
            max_ttl: 1h
            allowed_providers: [{{world.Provider.Name}}]
            gateway:
              allowed_endpoints: [chat.completions, embeddings]
              max_output_tokens: 4096
              max_call_depth: 1
              require_sender_binding: true
              unpriced: cap
              unpriced_cap_usd: 0.05
              credential_limits:
                requests_per_minute: 60
                tokens_per_minute: 100000
                budgets: [{window: day, max_usd: 10, max_tokens: 1000000, alert_percent: 80}]
              purpose_limits:
                budgets: [{window: month, max_usd: 250.000001}]
            """);

        var result = await Admin("-o", "json", "purposes", "create", "-f", file.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var id = Purpose.Parser.ParseJson(result.Stdout).Id;
        var stored = await StoredPurposeAsync(world, id);
        Assert.Equal(PurposeFile.Load(file.Path).Gateway, stored.Gateway);
        Assert.Equal(250_000_001, stored.Gateway.PurposeLimits.Budgets[0].MaxMicroUsd);
    }

    [Fact]
    public async Task PurposesUpdate_FileWithGateway_ReplacesOnlyThePolicy()
    {
        var world = await broker.SeedAsync(p => p.Gateway = new GatewayPolicy
        {
            MaxCallDepth = 2,
            CredentialLimits = new Limits { RequestsPerMinute = 10 },
        });
        using var file = new TempFile("gateway: {max_output_tokens: 1024}\n");

        var result = await Admin("purposes", "update", world.Purpose.Id, "-f", file.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var stored = await StoredPurposeAsync(world, world.Purpose.Id);
        // The whole policy was replaced: what the file did not set is back to its default.
        Assert.Equal(new GatewayPolicy { MaxOutputTokens = 1024, UnpricedPolicy = UnpricedPolicy.Refuse, CredentialLimits = new Limits(), PurposeLimits = new Limits() }, stored.Gateway);
        Assert.Equal(world.Purpose.MaxTtl, stored.MaxTtl);
        Assert.Equal(world.Purpose.AllowedModels, stored.AllowedModels);
    }

    [Fact]
    public async Task PurposesShow_Table_SpellsOutTheStoredPolicy()
    {
        var world = await broker.SeedAsync(p => p.Gateway = new GatewayPolicy
        {
            AllowedEndpoints = { "chat.completions" },
            MaxOutputTokens = 2048,
            PurposeLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Month, MaxMicroUsd = 500_000_000 } } },
        });

        var result = await Admin("purposes", "show", world.Purpose.Id);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = Normalized(result.Stdout);
        Assert.Contains("endpoints: chat.completions", lines);
        Assert.Contains("max output tokens: 2048", lines);
        Assert.Contains("purpose limits: $500/month", lines);
    }

    [Fact]
    public async Task OwnersLimits_FlagsThenClear_ReplacesTheLimits()
    {
        var world = await broker.SeedAsync();

        var set = await Admin("owners", "limits", world.Owner.Id, "--requests-per-minute", "600", "--daily-usd", "100", "--monthly-usd", "2000", "--alert-percent", "80");
        var afterSet = await StoredOwnerAsync(world.Owner.Id);
        var cleared = await Admin("owners", "limits", world.Owner.Id, "--clear");
        var afterClear = await StoredOwnerAsync(world.Owner.Id);

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal(
            new Limits
            {
                RequestsPerMinute = 600,
                Budgets =
                {
                    new Budget { Window = BudgetWindow.Day, MaxMicroUsd = 100_000_000, AlertPercent = 80 },
                    new Budget { Window = BudgetWindow.Month, MaxMicroUsd = 2_000_000_000, AlertPercent = 80 },
                },
            },
            afterSet.Limits);
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        Assert.Equal(new Limits(), afterClear.Limits ?? new Limits());
    }

    [Fact]
    public async Task OwnersLimits_AsOwner_ExitsFour()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("owners", "limits", world.Owner.Id, "--daily-usd", "1000", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: PermissionDenied: ", result.Stderr);
    }

    [Fact]
    public async Task OwnersCreate_LimitFlags_StoresTheLimits()
    {
        var result = await Admin("-o", "json", "owners", "create", "--name", $"cli-limited-{Guid.NewGuid():N}", "--email", "l@example.com", "--tokens-per-minute", "50000", "--lifetime-usd", "12.5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var stored = await StoredOwnerAsync(Owner.Parser.ParseJson(result.Stdout).Id);
        Assert.Equal(new Limits { TokensPerMinute = 50_000, Budgets = { new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 12_500_000 } } }, stored.Limits);
    }

    [Fact]
    public async Task ProvidersRegister_PricesFile_StoresThePrices()
    {
        using var prices = new TempFile("""
            - {model: gpt-4o-mini, input_usd_per_million: 0.15, cached_input_usd_per_million: 0.075, output_usd_per_million: 0.6, max_output_tokens: 16384}
            - {model: "gpt-4.1*", input_usd_per_million: 2, output_usd_per_million: 8, max_output_tokens: 32768}
            """);
        var env = Brokerctl.Environment(variables: new Dictionary<string, string> { ["ROOT"] = "sk-cli-root" });

        var result = await Brokerctl.RunAsync(
            env, "-o", "json", "providers", "register", "--name", $"cli-priced-{Guid.NewGuid():N}", "--kind", "openai", "--base-url", "https://api.openai.example",
            "--root-key-env", "ROOT", "--prices-file", prices.Path, "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var stored = await StoredProviderAsync(Provider.Parser.ParseJson(result.Stdout).Id);
        Assert.Equal(PricesFile.Load(prices.Path), stored.Prices);
        Assert.True(stored.HasRootKey);
    }

    [Fact]
    public async Task ProvidersUpdate_PricesAndRootKey_LeaveTheBaseUrl()
    {
        var world = await broker.SeedAsync();
        using var prices = new TempFile("- {model: gpt-4o-mini, input_usd_per_million: 0.2, output_usd_per_million: 0.8, max_output_tokens: 8192}\n");
        var env = Brokerctl.Environment(variables: new Dictionary<string, string> { ["NEW_KEY"] = "sk-rotated" });

        var result = await Brokerctl.RunAsync(
            env, "providers", "update", world.Provider.Id, "--root-key-env", "NEW_KEY", "--prices-file", prices.Path,
            "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);
        var baseUrl = await Admin("providers", "update", world.Provider.Id, "--base-url", "https://eu.api.openai.example");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(baseUrl.ExitCode == 0, baseUrl.ToString());
        var stored = await StoredProviderAsync(world.Provider.Id);
        Assert.Equal("https://eu.api.openai.example", stored.BaseUrl);
        Assert.Equal(PricesFile.Load(prices.Path), stored.Prices);
        Assert.True(stored.HasRootKey);
        Assert.DoesNotContain("sk-rotated", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Usage_FreshCredential_ReportsNothingSpentAgainstItsBudget()
    {
        var world = await broker.SeedAsync(p => p.Gateway = new GatewayPolicy
        {
            CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Day, MaxMicroUsd = 10_000_000 } } },
        });
        var issued = await broker.IssueAsync(world);

        var json = await Brokerctl.RunAsync("-o", "json", "usage", "--credential", issued.Credential.Id, "--addr", broker.GrpcAddress, "--token", world.OwnerToken);
        var table = await Brokerctl.RunAsync("usage", "--credential", issued.Credential.Id, "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.True(json.ExitCode == 0, json.ToString());
        var response = GetUsageResponse.Parser.ParseJson(json.Stdout);
        Assert.Equal(0, response.Totals?.Requests ?? 0);
        Assert.Equal(0, response.Totals?.CostMicroUsd ?? 0);
        var budget = Assert.Single(response.Budgets, b => b.Scope == "credential");
        Assert.Equal(issued.Credential.Id, budget.ScopeId);
        Assert.Equal(BudgetWindow.Day, budget.Window);
        Assert.Equal(10_000_000, budget.MaxMicroUsd);
        Assert.Equal(0, budget.SpentMicroUsd);
        Assert.Equal(broker.Time.GetUtcNow().UtcDateTime.Date, budget.WindowStart.ToDateTime());
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.StartsWith($"credential {issued.Credential.Id} from ", table.Stdout);
        var lines = Normalized(table.Stdout);
        Assert.Contains("all models 0 0 0 0 0 $0", lines);
        Assert.Contains(lines, l => l.StartsWith($"credential {issued.Credential.Id} day ", StringComparison.Ordinal) && l.Contains("$0 / $0 / $10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Usage_OwnerWindowDay_ReportsFromMidnight()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("-o", "json", "usage", "--owner", world.Owner.Id, "--window", "day", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var response = GetUsageResponse.Parser.ParseJson(result.Stdout);
        Assert.Equal(broker.Time.GetUtcNow().UtcDateTime.Date, response.StartTime.ToDateTime());
    }

    [Fact]
    public async Task Usage_ExplicitRange_ReportsThatRange()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync(
            "-o", "json", "usage", "--purpose", world.Purpose.Id, "--since", "2026-01-01", "--until", "2026-02-01T00:00:00Z",
            "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("2026-01-01T00:00:00Z", json.RootElement.GetProperty("start_time").GetString());
        Assert.Equal("2026-02-01T00:00:00Z", json.RootElement.GetProperty("end_time").GetString());
    }

    private Task<CliResult> Admin(params string[] args) =>
        Brokerctl.RunAsync([.. args, "--addr", broker.GrpcAddress, "--token", BrokerFixture.BootstrapToken]);

    private async Task<Purpose> StoredPurposeAsync(World world, string id)
    {
        var purposes = await broker.Admin.ListPurposesAsync(new ListPurposesRequest { OwnerId = world.Owner.Id, PageSize = 500 }, broker.AdminAuth);
        return Assert.Single(purposes.Purposes, p => p.Id == id);
    }

    private async Task<Owner> StoredOwnerAsync(string id)
    {
        var owners = await broker.Admin.ListOwnersAsync(new ListOwnersRequest { PageSize = 500 }, broker.AdminAuth);
        return Assert.Single(owners.Owners, o => o.Id == id);
    }

    private async Task<Provider> StoredProviderAsync(string id)
    {
        var providers = await broker.Admin.ListProvidersAsync(new ListProvidersRequest { PageSize = 500 }, broker.AdminAuth);
        return Assert.Single(providers.Providers, p => p.Id == id);
    }

    /// <summary>Output lines with runs of spaces (table padding) collapsed to one.</summary>
    private static List<string> Normalized(string output) =>
        output.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
}
