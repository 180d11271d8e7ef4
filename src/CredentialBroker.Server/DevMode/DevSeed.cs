using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace CredentialBroker.Server.DevMode;

/// <summary>Seeds dev mode through the public API, so the demo data has the same audit trail as real data.</summary>
internal static class DevSeed
{
    public const string Owner = "demo-team";
    public const string Workload = "spiffe://dev.local/demo-agent";
    public const string Provider = "openai";
    public const string AnthropicProvider = "anthropic";
    public const string Purpose = "demo-chat";

    /// <summary>What one demo credential may spend in its whole life, so the budget's refusal is easy to see.</summary>
    public const long CredentialBudgetMicroUsd = 2_000;

    public sealed record Result(string WorkloadToken, string OwnerToken, string SecurityToken, string OwnerId);

    public static async Task<Result> RunAsync(string grpcAddress, string adminToken, string upstreamBaseUrl)
    {
        using var channel = GrpcChannel.ForAddress(grpcAddress);
        var admin = new AdminService.AdminServiceClient(channel);
        var auth = new Metadata { { "authorization", "Bearer " + adminToken } };

        var owner = await admin.CreateOwnerAsync(new CreateOwnerRequest { Name = Owner, Email = "demo-team@example.com" }, auth);
        var workload = await admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = Workload, OwnerId = owner.Id, Description = "demo agent (dev mode)" }, auth);
        // Both providers point at dev mode's simulated upstream; its root key is a placeholder it accepts.
        await admin.RegisterProviderAsync(new RegisterProviderRequest
        {
            Name = Provider,
            Kind = "openai",
            BaseUrl = upstreamBaseUrl,
            RootKey = "sk-simulated-upstream-root-key",
            Prices =
            {
                new ModelPrice { Model = "gpt-4o-mini", InputMicroUsdPerMillion = 150_000, CachedInputMicroUsdPerMillion = 75_000, OutputMicroUsdPerMillion = 600_000, MaxOutputTokens = 16_384 },
                new ModelPrice { Model = "gpt-4.1*", InputMicroUsdPerMillion = 2_000_000, CachedInputMicroUsdPerMillion = 500_000, OutputMicroUsdPerMillion = 8_000_000, MaxOutputTokens = 32_768 },
                new ModelPrice { Model = "text-embedding-3-small", InputMicroUsdPerMillion = 20_000, OutputMicroUsdPerMillion = 0, MaxOutputTokens = 1 },
            },
        }, auth);
        await admin.RegisterProviderAsync(new RegisterProviderRequest
        {
            Name = AnthropicProvider,
            Kind = "anthropic",
            BaseUrl = upstreamBaseUrl,
            RootKey = "sk-ant-simulated-upstream-root-key",
            Prices =
            {
                new ModelPrice { Model = "claude-sonnet-4*", InputMicroUsdPerMillion = 3_000_000, CachedInputMicroUsdPerMillion = 300_000, OutputMicroUsdPerMillion = 15_000_000, MaxOutputTokens = 64_000 },
                new ModelPrice { Model = "claude-haiku-4*", InputMicroUsdPerMillion = 1_000_000, CachedInputMicroUsdPerMillion = 100_000, OutputMicroUsdPerMillion = 5_000_000, MaxOutputTokens = 64_000 },
            },
        }, auth);
        var purpose = await admin.CreatePurposeAsync(new CreatePurposeRequest
        {
            Name = Purpose,
            Description = "Demo chat completions (dev mode)",
            OwnerId = owner.Id,
            RiskTier = RiskTier.Sandbox,
            DefaultTtl = Duration.FromTimeSpan(TimeSpan.FromMinutes(15)),
            MaxTtl = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
            MaxLifetime = Duration.FromTimeSpan(TimeSpan.FromHours(8)),
            AllowedProviders = { Provider, AnthropicProvider },
            AllowedModels = { "gpt-4o-mini", "gpt-4.1*", "text-embedding-3-small", "claude-sonnet-4*", "claude-haiku-4*" },
            Gateway = new GatewayPolicy
            {
                MaxOutputTokens = 256,
                MaxCallDepth = 2,
                CredentialLimits = new Limits
                {
                    RequestsPerMinute = 60,
                    Budgets = { new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = CredentialBudgetMicroUsd, AlertPercent = 80 } },
                },
                PurposeLimits = new Limits
                {
                    Budgets = { new Budget { Window = BudgetWindow.Day, MaxMicroUsd = 1_000_000, AlertPercent = 80 } },
                },
            },
        }, auth);
        await admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = workload.Id, PurposeId = purpose.Id }, auth);

        var ttl = Duration.FromTimeSpan(TimeSpan.FromHours(24));
        var workloadToken = await admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Workload, WorkloadId = workload.Id, Ttl = ttl, Description = "dev mode demo workload" }, auth);
        var ownerToken = await admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Owner, OwnerId = owner.Id, Ttl = ttl, Description = "dev mode demo owner" }, auth);
        var securityToken = await admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Security, Ttl = ttl, Description = "dev mode security" }, auth);
        return new Result(workloadToken.Token, ownerToken.Token, securityToken.Token, owner.Id);
    }
}
