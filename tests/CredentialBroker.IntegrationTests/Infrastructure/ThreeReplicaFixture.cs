using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using CredentialBroker.Testing;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Infrastructure;

/// <summary>
/// Three broker server processes (<see cref="ServerProcess"/>) on one test database, started in parallel,
/// with providers pointing at a simulated upstream in the test process. Jobs run on short intervals: the
/// expiry job every second, Quartz check-ins every second so a killed replica is taken for dead within seconds.
/// </summary>
public sealed class ThreeReplicaFixture : IAsyncLifetime
{
    public const int ExpiryBatchSize = 100;
    public static readonly TimeSpan ExpiryInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private int _seeds;

    public UpstreamFixture Upstream { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string ConnectionString { get; private set; } = string.Empty;

    public IReadOnlyList<ServerProcess> Replicas { get; private set; } = [];

    /// <summary>How long the three processes took to become ready, started in parallel.</summary>
    public TimeSpan StartupTime { get; private set; }

    public static Metadata Admin => BrokerFixture.Bearer(BrokerFixture.BootstrapToken);

    public async Task InitializeAsync()
    {
        await Upstream.InitializeAsync();
        ConnectionString = await PostgresServer.CreateDatabaseAsync();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Broker"] = ConnectionString,
            ["Broker__BootstrapAdminToken"] = BrokerFixture.BootstrapToken,
            ["Broker__MasterKey"] = BrokerFixture.MasterKey,
            ["Broker__ExpirySweepInterval"] = ExpiryInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Broker__BatchSize"] = ExpiryBatchSize.ToString(CultureInfo.InvariantCulture),
            ["Broker__AuditSealInterval"] = "00:00:00.200",
            ["Broker__Replica__JobCheckinInterval"] = "00:00:01",
            ["Broker__Replica__JobFailureThreshold"] = "00:00:03",
            ["Logging__LogLevel__Default"] = Environment.GetEnvironmentVariable("BROKER_TEST_LOGLEVEL") ?? "Warning",
        };
        Replicas = [.. Enumerable.Range(1, 3).Select(i => new ServerProcess($"replica-{i}", environment))];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Replicas.Select(r => r.StartAsync(StartTimeout)));
        StartupTime = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }

        Http.Dispose();
        await Upstream.DisposeAsync();
        if (ConnectionString.Length > 0)
        {
            await PostgresServer.DropDatabaseAsync(ConnectionString);
        }
    }

    /// <summary>Starts a replica again (after <see cref="ServerProcess.KillHard"/>), under the same id.</summary>
    public Task RestartAsync(ServerProcess replica) => replica.StartAsync(StartTimeout);

    /// <summary>
    /// Owner, workload, a provider on the simulated upstream (1 micro-USD per input token, 2 per output token,
    /// 1,000 output tokens max), a purpose with the given gateway policy, a grant and tokens — through replica 1.
    /// </summary>
    public async Task<World> SeedGatewayAsync(Action<GatewayPolicy>? policy = null)
    {
        var n = Interlocked.Increment(ref _seeds);
        var admin = new AdminService.AdminServiceClient(Replicas[0].Channel);
        var owner = await admin.CreateOwnerAsync(new CreateOwnerRequest { Name = $"team-{n}", Email = $"team-{n}@example.com" }, Admin);
        var workload = await admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = $"spiffe://test.local/agent-{n}", OwnerId = owner.Id }, Admin);
        var provider = await admin.RegisterProviderAsync(new RegisterProviderRequest
        {
            Name = $"openai-{n}",
            Kind = "openai",
            BaseUrl = Upstream.BaseUrl,
            RootKey = "sk-test-root-" + n,
            Prices = { new ModelPrice { Model = "gpt-*", InputMicroUsdPerMillion = 1_000_000, OutputMicroUsdPerMillion = 2_000_000, MaxOutputTokens = 1000 } },
        }, Admin);
        var gateway = new GatewayPolicy();
        policy?.Invoke(gateway);
        var purpose = await admin.CreatePurposeAsync(new CreatePurposeRequest
        {
            Name = $"purpose-{n}",
            Description = "multi-replica test purpose",
            OwnerId = owner.Id,
            RiskTier = RiskTier.Internal,
            DefaultTtl = Duration.FromTimeSpan(TimeSpan.FromMinutes(15)),
            MaxTtl = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
            MaxLifetime = Duration.FromTimeSpan(TimeSpan.FromHours(4)),
            AllowedProviders = { provider.Name },
            AllowedModels = { "gpt-*" },
            Gateway = gateway,
        }, Admin);
        await admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = workload.Id, PurposeId = purpose.Id }, Admin);

        async Task<string> Token(Role role, string? ownerId = null, string? workloadId = null) =>
            (await admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = role, OwnerId = ownerId ?? string.Empty, WorkloadId = workloadId ?? string.Empty }, Admin)).Token;

        return new World(owner, workload, provider, purpose,
            await Token(Role.Workload, workloadId: workload.Id),
            await Token(Role.Owner, ownerId: owner.Id),
            await Token(Role.Security),
            await Token(Role.Admin));
    }

    /// <summary>Issues a credential for the world's workload through replica 1.</summary>
    public async Task<IssueCredentialResponse> IssueAsync(World world, IDictionary<string, string>? labels = null)
    {
        var request = new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name };
        if (labels is not null)
        {
            request.Labels.Add(labels);
        }

        return await new CredentialService.CredentialServiceClient(Replicas[0].Channel).IssueCredentialAsync(request, BrokerFixture.Bearer(world.WorkloadToken));
    }

    /// <summary>A chat completion through one replica's gateway (simulated usage: 4 input tokens, max_tokens output tokens).</summary>
    public async Task<HttpResponseMessage> ChatAsync(ServerProcess replica, string key, int maxTokens = 10)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, replica.GatewayAddress + "/openai/v1/chat/completions")
        {
            Content = new StringContent((string)GatewayFixture.Chat(maxTokens: maxTokens), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await Http.SendAsync(request);
    }

    /// <summary>The text of one replica's Prometheus scrape.</summary>
    public Task<string> MetricsAsync(ServerProcess replica) => Http.GetStringAsync(replica.GatewayAddress + "/metrics");

    /// <summary>One value read with SQL.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 120 };
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)value;
    }
}
