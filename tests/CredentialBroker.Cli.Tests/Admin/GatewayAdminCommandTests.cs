using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Admin;

/// <summary>The requests the gateway-related admin commands send, checked against a recording stand-in broker.</summary>
public sealed class GatewayAdminCommandTests
{
    [Fact]
    public async Task OwnersLimits_Flags_SendsRatesAndOneBudgetPerWindow()
    {
        await using var broker = await RecordingBroker.StartAsync();

        var result = await broker.RunAsync(
            "owners", "limits", "3b0e", "--requests-per-minute", "600", "--tokens-per-minute", "2000000",
            "--daily-usd", "100", "--lifetime-usd", "0.000001", "--alert-percent", "80");

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = new Limits
        {
            RequestsPerMinute = 600,
            TokensPerMinute = 2_000_000,
            Budgets =
            {
                new Budget { Window = BudgetWindow.Day, MaxMicroUsd = 100_000_000, AlertPercent = 80 },
                new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 1, AlertPercent = 80 },
            },
        };
        Assert.Equal(new SetOwnerLimitsRequest { OwnerId = "3b0e", Limits = expected }, broker.Single<SetOwnerLimitsRequest>());
        Assert.Contains("600 rpm, 2000000 tpm, $100/day (alert 80%), $0.000001/lifetime (alert 80%)", result.Stdout);
    }

    [Fact]
    public async Task OwnersLimits_File_SendsTheFileLimits()
    {
        await using var broker = await RecordingBroker.StartAsync();
        using var file = new TempFile("""
            requests_per_minute: 60
            budgets:
              - {window: month, max_usd: 2000, max_tokens: 500000000}
            """);

        var result = await broker.RunAsync("owners", "limits", "3b0e", "-f", file.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = new Limits { RequestsPerMinute = 60, Budgets = { new Budget { Window = BudgetWindow.Month, MaxMicroUsd = 2_000_000_000, MaxTokens = 500_000_000 } } };
        Assert.Equal(expected, broker.Single<SetOwnerLimitsRequest>().Limits);
    }

    [Fact]
    public async Task OwnersLimits_Clear_SendsEmptyLimits()
    {
        await using var broker = await RecordingBroker.StartAsync();

        var result = await broker.RunAsync("owners", "limits", "3b0e", "--clear");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(new Limits(), broker.Single<SetOwnerLimitsRequest>().Limits);
    }

    [Theory]
    [InlineData("give -f FILE, --clear, or at least one of")]
    [InlineData("--clear cannot be combined", "--clear", "--daily-usd", "5")]
    [InlineData("either in -f FILE or as flags, not both", "-f", "limits.yaml", "--daily-usd", "5")]
    [InlineData("--alert-percent needs a budget", "--alert-percent", "80")]
    [InlineData("--alert-percent must be between 1 and 100", "--daily-usd", "5", "--alert-percent", "0")]
    [InlineData("--requests-per-minute must not be negative", "--requests-per-minute", "-1")]
    [InlineData("invalid USD amount '0.0000001' for --monthly-usd: at most 6 decimals", "--monthly-usd", "0.0000001")]
    public async Task OwnersLimits_BadArguments_ExitsTwoAndSendsNothing(string message, params string[] args)
    {
        await using var broker = await RecordingBroker.StartAsync();

        var result = await broker.RunAsync(["owners", "limits", "3b0e", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.True(broker.None<SetOwnerLimitsRequest>());
    }

    [Fact]
    public async Task OwnersCreate_LimitFlags_SendsLimits()
    {
        await using var broker = await RecordingBroker.StartAsync();

        var result = await broker.RunAsync("owners", "create", "--name", "team-ml", "--email", "ml@example.com", "--monthly-usd", "2000.50");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = broker.Single<CreateOwnerRequest>();
        Assert.Equal(new Limits { Budgets = { new Budget { Window = BudgetWindow.Month, MaxMicroUsd = 2_000_500_000 } } }, request.Limits);
    }

    [Fact]
    public async Task OwnersCreate_NoLimitFlags_SendsNoLimits()
    {
        await using var broker = await RecordingBroker.StartAsync();

        var result = await broker.RunAsync("owners", "create", "--name", "team-ml", "--email", "ml@example.com");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Null(broker.Single<CreateOwnerRequest>().Limits);
    }

    [Fact]
    public async Task ProvidersRegister_PricesFile_SendsPrices()
    {
        await using var broker = await RecordingBroker.StartAsync();
        using var prices = new TempFile("- {model: gpt-4o-mini, input_usd_per_million: 0.15, output_usd_per_million: 0.6, max_output_tokens: 16384}\n");

        var result = await broker.RunAsync("providers", "register", "--name", "openai", "--kind", "openai", "--base-url", "https://api.openai.com", "--prices-file", prices.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var price = Assert.Single(broker.Single<RegisterProviderRequest>().Prices);
        Assert.Equal(new ModelPrice { Model = "gpt-4o-mini", InputMicroUsdPerMillion = 150_000, OutputMicroUsdPerMillion = 600_000, MaxOutputTokens = 16384 }, price);
        Assert.Contains("1 model", result.Stdout);
    }

    [Fact]
    public async Task ProvidersUpdate_BaseUrlAndRootKey_MaskNamesOnlyThose()
    {
        await using var broker = await RecordingBroker.StartAsync();
        var env = Brokerctl.Environment(variables: new Dictionary<string, string> { ["NEW_KEY"] = "sk-rotated" });

        var result = await broker.RunAsync(env, "providers", "update", "4d7e", "--base-url", "https://eu.api.openai.com", "--root-key-env", "NEW_KEY");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = broker.Single<UpdateProviderRequest>();
        Assert.Equal("4d7e", request.Id);
        Assert.Equal(["base_url", "root_key"], request.UpdateMask.Paths);
        Assert.Equal("https://eu.api.openai.com", request.BaseUrl);
        Assert.Equal("sk-rotated", request.RootKey);
        Assert.Empty(request.Prices);
        Assert.DoesNotContain("sk-rotated", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task ProvidersUpdate_EmptyPricesFile_MasksPricesWithEmptyTable()
    {
        await using var broker = await RecordingBroker.StartAsync();
        using var prices = new TempFile(string.Empty);

        var result = await broker.RunAsync("providers", "update", "4d7e", "--prices-file", prices.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = broker.Single<UpdateProviderRequest>();
        Assert.Equal(["prices"], request.UpdateMask.Paths);
        Assert.Empty(request.Prices);
    }

    [Theory]
    [InlineData("Nothing to update")]
    [InlineData("environment variable NOT_SET is not set", "--root-key-env", "NOT_SET")]
    public async Task ProvidersUpdate_BadArguments_ExitsTwoAndSendsNothing(string message, params string[] args)
    {
        await using var broker = await RecordingBroker.StartAsync();

        var result = await broker.RunAsync(["providers", "update", "4d7e", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.True(broker.None<UpdateProviderRequest>());
    }

    [Fact]
    public async Task PurposesCreate_FileWithGateway_SendsPolicy()
    {
        await using var broker = await RecordingBroker.StartAsync();
        using var file = new TempFile("""
            name: support
            owner_id: 3b0e
            gateway:
              allowed_endpoints: [chat.completions]
              credential_limits: {budgets: [{window: day, max_usd: 10}]}
            """);

        var result = await broker.RunAsync("purposes", "create", "-f", file.Path, "--name", "support-2");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = broker.Single<CreatePurposeRequest>();
        Assert.Equal("support-2", request.Name);
        Assert.Equal(
            new GatewayPolicy { AllowedEndpoints = { "chat.completions" }, CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Day, MaxMicroUsd = 10_000_000 } } } },
            request.Gateway);
        Assert.Contains("endpoints chat.completions; per credential $10/day", result.Stdout);
    }

    [Fact]
    public async Task PurposesUpdate_FileWithGatewayAndFlag_MasksBothOnce()
    {
        await using var broker = await RecordingBroker.StartAsync();
        using var file = new TempFile("max_ttl: 2h\ngateway: {max_output_tokens: 1024, require_sender_binding: true}\n");

        var result = await broker.RunAsync("purposes", "update", "9a2f", "-f", file.Path, "--max-ttl", "30m");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = broker.Single<UpdatePurposeRequest>();
        Assert.Equal(["max_ttl", "gateway"], request.UpdateMask.Paths);
        Assert.Equal(TimeSpan.FromMinutes(30), request.MaxTtl.ToTimeSpan());
        Assert.Equal(new GatewayPolicy { MaxOutputTokens = 1024, RequireSenderBinding = true }, request.Gateway);
    }

    [Fact]
    public async Task PurposesUpdate_FileWithName_ExitsTwoAndSendsNothing()
    {
        await using var broker = await RecordingBroker.StartAsync();
        using var file = new TempFile("name: renamed\ngateway: {}\n");

        var result = await broker.RunAsync("purposes", "update", "9a2f", "-f", file.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("name and owner_id cannot be changed by update", result.Stderr);
        Assert.True(broker.None<UpdatePurposeRequest>());
    }

    [Fact]
    public async Task PurposesShow_Table_SpellsOutGatewayPolicy()
    {
        await using var broker = await RecordingBroker.StartAsync();
        broker.Purposes.Add(new Purpose { Id = "other", Name = "other" });
        broker.Purposes.Add(new Purpose
        {
            Id = "9a2f",
            Name = "support",
            Gateway = new GatewayPolicy
            {
                MaxCallDepth = 2,
                UnpricedPolicy = UnpricedPolicy.Cap,
                UnpricedCapMicroUsd = 50_000,
                PurposeLimits = new Limits { RequestsPerMinute = 60, Budgets = { new Budget { Window = BudgetWindow.Month, MaxMicroUsd = 500_000_000, AlertPercent = 90 } } },
            },
        });

        var byId = await broker.RunAsync("purposes", "show", "9a2f");
        var byName = await broker.RunAsync("purposes", "show", "support");

        Assert.True(byId.ExitCode == 0, byId.ToString());
        var lines = byId.Stdout.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Contains("id: 9a2f", lines);
        Assert.Contains("endpoints: all", lines);
        Assert.Contains("call depth: up to 2", lines);
        Assert.Contains("sender binding: not required", lines);
        Assert.Contains("unpriced models: allowed at $0.05 per call", lines);
        Assert.Contains("credential limits: none", lines);
        Assert.Contains("purpose limits: 60 rpm, $500/month (alert 90%)", lines);
        Assert.Equal(byId.Stdout, byName.Stdout);
    }

    [Fact]
    public async Task PurposesShow_Unknown_ExitsThree()
    {
        await using var broker = await RecordingBroker.StartAsync();

        var result = await broker.RunAsync("purposes", "show", "nope");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("error: NotFound: purpose nope not found", result.Stderr.Trim());
    }

    [Fact]
    public async Task PurposesList_Table_ShowsGatewaySummaryColumn()
    {
        await using var broker = await RecordingBroker.StartAsync();
        broker.Purposes.Add(new Purpose { Id = "a", Name = "plain" });
        broker.Purposes.Add(new Purpose { Id = "b", Name = "bounded", Gateway = new GatewayPolicy { MaxOutputTokens = 4096, RequireSenderBinding = true } });

        var result = await broker.RunAsync("purposes", "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.EndsWith("GATEWAY", lines[0]);
        Assert.EndsWith("default", lines[1]);
        Assert.EndsWith("max output 4096; sender-bound", lines[2]);
    }
}
