using CredentialBroker.Server.DevMode;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// A purpose for the gateway scenario, through the public AdminService: every limit set (so the gateway
/// checks and reserves on every request) and set far above anything a run can reach (so none refuses).
/// The seeded purpose's $0.002 credential budget would refuse within seconds.
/// </summary>
internal static class GatewayBenchSeed
{
    public const string Purpose = "bench-gateway";

    /// <summary>The same checks without budgets: rate limits and metering only, nothing reserved in PostgreSQL.</summary>
    public const string NoBudgetPurpose = "bench-gateway-no-budget";
    public const string Model = "gpt-4o-mini";

    /// <summary>Creates the purpose, grants it to the seeded workload and issues one key ("cbk_...").</summary>
    public static async Task<string> IssueKeyAsync(BrokerHost broker, CancellationToken cancellationToken) =>
        await IssueKeyAsync(broker, Purpose, budgets: true, cancellationToken);

    /// <summary>Creates <paramref name="name"/> (with or without budgets), grants it to the seeded workload and issues one key.</summary>
    public static Task<string> IssueKeyAsync(BrokerHost broker, string name, bool budgets, CancellationToken cancellationToken) =>
        IssueKeyAsync(broker, broker.Channels[0], name, budgets, cancellationToken);

    /// <summary>The same with limits of unreachable height, through <paramref name="channel"/> (a broker or a server process).</summary>
    public static Task<string> IssueKeyAsync(BrokerHost broker, GrpcChannel channel, string name, bool budgets, CancellationToken cancellationToken) =>
        IssueKeyAsync(broker, channel, name, new GatewayPolicy
        {
            MaxOutputTokens = 256,
            CredentialLimits = Unreachable(BudgetWindow.Lifetime, maxMicroUsd: 100_000_000_000, budgets),
            PurposeLimits = Unreachable(BudgetWindow.Month, maxMicroUsd: 1_000_000_000_000, budgets),
        }, cancellationToken);

    /// <summary>Creates purpose <paramref name="name"/> with <paramref name="policy"/> through <paramref name="channel"/>, grants it to the seeded workload and issues one key.</summary>
    public static async Task<string> IssueKeyAsync(BrokerHost broker, GrpcChannel channel, string name, GatewayPolicy policy, CancellationToken cancellationToken)
    {
        var admin = new AdminService.AdminServiceClient(channel);
        var workloads = await admin.ListWorkloadsAsync(new ListWorkloadsRequest { OwnerId = broker.OwnerId, PageSize = 500 }, broker.AdminAuth, cancellationToken: cancellationToken);
        var workload = workloads.Workloads.Single(w => w.Identity == DevSeed.Workload);
        var purpose = await admin.CreatePurposeAsync(new CreatePurposeRequest
        {
            Name = name,
            Description = "Gateway benchmark purpose",
            OwnerId = broker.OwnerId,
            RiskTier = RiskTier.Sandbox,
            DefaultTtl = Duration.FromTimeSpan(TimeSpan.FromHours(8)),
            MaxTtl = Duration.FromTimeSpan(TimeSpan.FromHours(8)),
            MaxLifetime = Duration.FromTimeSpan(TimeSpan.FromHours(8)),
            AllowedProviders = { DevSeed.Provider },
            AllowedModels = { Model },
            Gateway = policy,
        }, broker.AdminAuth, cancellationToken: cancellationToken);
        await admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = workload.Id, PurposeId = purpose.Id }, broker.AdminAuth, cancellationToken: cancellationToken);

        var credentials = new CredentialService.CredentialServiceClient(channel);
        var issued = await credentials.IssueCredentialAsync(new IssueCredentialRequest { Purpose = name, Provider = DevSeed.Provider },
            broker.WorkloadAuth, cancellationToken: cancellationToken);
        return issued.Secret;
    }

    private static Limits Unreachable(BudgetWindow window, long maxMicroUsd, bool budgets)
    {
        var limits = new Limits { RequestsPerMinute = 10_000_000, TokensPerMinute = 10_000_000_000 };
        if (budgets)
        {
            limits.Budgets.Add(new Budget { Window = window, MaxMicroUsd = maxMicroUsd, MaxTokens = 10_000_000_000_000, AlertPercent = 80 });
        }

        return limits;
    }
}
