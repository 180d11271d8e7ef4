using CredentialBroker.Cli.Admin;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Admin;

public sealed class GatewayPolicyFileTests
{
    private const string FullGateway = """
        name: support-summaries
        gateway:
          allowed_endpoints: [chat.completions, messages]
          max_output_tokens: 4096
          max_call_depth: 2
          require_sender_binding: true
          unpriced: cap
          unpriced_cap_usd: 0.05
          credential_limits:
            requests_per_minute: 60
            tokens_per_minute: 100000
            budgets:
              - {window: day, max_usd: 10, max_tokens: 1000000, alert_percent: 80}
              - {window: lifetime, max_usd: 0.000001}
          purpose_limits:
            budgets: [{window: month, max_usd: 2500.5}]
          high_risk_tools: [shell_*, "*delete*"]
          max_delegation_depth: 2
        """;

    [Fact]
    public void ToRequest_GatewaySection_MapsToExactProto()
    {
        var request = Parse(FullGateway).ToRequest("p.yaml");

        var expected = new GatewayPolicy
        {
            AllowedEndpoints = { "chat.completions", "messages" },
            MaxOutputTokens = 4096,
            MaxCallDepth = 2,
            RequireSenderBinding = true,
            UnpricedPolicy = UnpricedPolicy.Cap,
            UnpricedCapMicroUsd = 50_000,
            CredentialLimits = new Limits
            {
                RequestsPerMinute = 60,
                TokensPerMinute = 100_000,
                Budgets =
                {
                    new Budget { Window = BudgetWindow.Day, MaxMicroUsd = 10_000_000, MaxTokens = 1_000_000, AlertPercent = 80 },
                    new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 1 },
                },
            },
            PurposeLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Month, MaxMicroUsd = 2_500_500_000 } } },
            HighRiskTools = { "shell_*", "*delete*" },
            MaxDelegationDepth = 2,
        };
        Assert.Equal(expected, request.Gateway);
    }

    [Fact]
    public void ToRequest_NoGatewaySection_LeavesPolicyUnset()
    {
        var request = Parse("name: plain\n").ToRequest("p.yaml");

        Assert.Null(request.Gateway);
    }

    [Fact]
    public void ToRequest_EmptyGatewaySection_SendsDefaultPolicy()
    {
        var request = Parse("gateway: {}\n").ToRequest("p.yaml");

        Assert.Equal(new GatewayPolicy(), request.Gateway);
    }

    [Fact]
    public void ToRequest_UnpricedRefuse_MapsToRefuse()
    {
        var request = Parse("gateway: {unpriced: refuse}\n").ToRequest("p.yaml");

        Assert.Equal(UnpricedPolicy.Refuse, request.Gateway.UnpricedPolicy);
    }

    [Theory]
    [InlineData("gateway: {credential_limits: {budgets: [{window: day, max_usd: 0.0000001}]}}", "'0.0000001'", "gateway.credential_limits.budgets[0].max_usd", "at most 6 decimals")]
    [InlineData("gateway: {purpose_limits: {budgets: [{window: day, max_usd: -5}]}}", "'-5'", "gateway.purpose_limits.budgets[0].max_usd", "must not be negative")]
    [InlineData("gateway: {unpriced: cap, unpriced_cap_usd: 0.00000001}", "'0.00000001'", "gateway.unpriced_cap_usd", "at most 6 decimals")]
    [InlineData("gateway: {unpriced: cap}", "unpriced: cap", "gateway", "needs unpriced_cap_usd")]
    [InlineData("gateway: {unpriced: maybe}", "'maybe'", "gateway.unpriced", "refuse or cap")]
    [InlineData("gateway: {credential_limits: {budgets: [{window: week, max_usd: 1}]}}", "'week'", "gateway.credential_limits.budgets[0].window", "day, month or lifetime")]
    [InlineData("gateway: {credential_limits: {budgets: [{max_usd: 1}]}}", "window is required", "gateway.credential_limits.budgets[0]", "day, month or lifetime")]
    public void ToRequest_InvalidGateway_ThrowsUsageErrorLocatingTheValue(string yaml, string value, string location, string reason)
    {
        var error = Assert.Throws<UsageException>(() => Parse(yaml).ToRequest("p.yaml"));

        Assert.Contains(value, error.Message);
        Assert.Contains("p.yaml: " + location, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Parse_UnknownGatewayKey_ThrowsUsageErrorWithLine()
    {
        var error = Assert.Throws<UsageException>(() => Parse("name: x\ngateway:\n  max_output: 5\n"));

        Assert.Equal("p.yaml: line 3: unknown key 'max_output'", error.Message);
    }

    [Fact]
    public void Parse_JsonGateway_ReadsLikeYaml()
    {
        var request = Parse("""{"gateway": {"allowed_endpoints": ["embeddings"], "credential_limits": {"budgets": [{"window": "month", "max_usd": 0.25}]}}}""").ToRequest("p.json");

        Assert.Equal(["embeddings"], request.Gateway.AllowedEndpoints);
        Assert.Equal(250_000, request.Gateway.CredentialLimits.Budgets[0].MaxMicroUsd);
    }

    [Fact]
    public void ToUpdateRequest_GatewayOnly_MasksGatewayAlone()
    {
        var request = Parse("gateway: {max_call_depth: 1}\n").ToUpdateRequest("9a2f", "p.yaml");

        Assert.Equal("9a2f", request.Id);
        Assert.Equal(["gateway"], request.UpdateMask.Paths);
        Assert.Equal(new GatewayPolicy { MaxCallDepth = 1 }, request.Gateway);
    }

    [Fact]
    public void ToUpdateRequest_FieldsPresent_EachInMask()
    {
        var request = Parse("""
            description: new words
            max_ttl: 30m
            allowed_models: []
            gateway: {}
            """).ToUpdateRequest("9a2f", "p.yaml");

        Assert.Equal(["description", "max_ttl", "allowed_models", "gateway"], request.UpdateMask.Paths);
        Assert.Equal(TimeSpan.FromMinutes(30), request.MaxTtl.ToTimeSpan());
        Assert.Empty(request.AllowedModels);
        Assert.Equal(new GatewayPolicy(), request.Gateway);
    }

    [Theory]
    [InlineData("name: renamed\n")]
    [InlineData("owner_id: 3b0e\n")]
    public void ToUpdateRequest_NameOrOwner_ThrowsUsageError(string yaml)
    {
        var error = Assert.Throws<UsageException>(() => Parse(yaml).ToUpdateRequest("9a2f", "p.yaml"));

        Assert.Contains("cannot be changed by update", error.Message);
    }

    private static PurposeFile Parse(string yaml) => YamlFile.Parse<PurposeFile>(yaml, "p.yaml") ?? new PurposeFile();
}
