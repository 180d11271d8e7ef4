using System.Net;
using System.Net.Sockets;
using CredentialBroker.Server.Hosting;
using CredentialBroker.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Infrastructure;

/// <summary>
/// A real broker: the server host on Kestrel over real HTTP/2 (loopback, free ports), on a fresh
/// database of the shared test PostgreSQL, with time from a <see cref="FakeTimeProvider"/>.
/// </summary>
public class BrokerFixture : IAsyncLifetime
{
    public const string BootstrapToken = "test-bootstrap-admin-token-0123456789abcdef";

    private WebApplication? _app;
    private int _seeds;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public string ConnectionString { get; private set; } = string.Empty;

    public GrpcChannel Channel { get; private set; } = null!;

    public string GrpcAddress { get; private set; } = string.Empty;

    /// <summary>Base address of the gateway endpoint (HTTP/1.1 and HTTP/2 cleartext), e.g. http://127.0.0.1:41234.</summary>
    public string GatewayAddress { get; private set; } = string.Empty;

    public IServiceProvider Services => _app!.Services;

    public Metadata AdminAuth => Bearer(BootstrapToken);

    public AdminService.AdminServiceClient Admin => new(Channel);

    public CredentialService.CredentialServiceClient Credentials => new(Channel);

    public RevocationService.RevocationServiceClient Revocations => new(Channel);

    public AuditService.AuditServiceClient Audit => new(Channel);

    public UsageService.UsageServiceClient Usage => new(Channel);
    public ApprovalService.ApprovalServiceClient ApprovalClient => new(Channel);

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    /// <summary>Extra configuration for a fixture subclass (e.g. a short job interval).</summary>
    protected virtual IDictionary<string, string?> Configuration => new Dictionary<string, string?>();

    /// <summary>Extra services for a fixture subclass (e.g. a capturing logger provider), added before the broker's own.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>URL scheme of the gRPC endpoint; a TLS fixture returns "https" and configures a certificate.</summary>
    protected virtual string Scheme => "http";

    /// <summary>Makes <see cref="Channel"/>; a TLS fixture supplies a handler that trusts its certificate.</summary>
    protected virtual GrpcChannel CreateChannel(string address) => GrpcChannel.ForAddress(address);

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateDatabaseAsync();
        // A port found free can be taken by a parallel test class before Kestrel binds it: try again with new ones.
        for (var attempt = 1; ; attempt++)
        {
            GrpcAddress = $"{Scheme}://127.0.0.1:{FreePort()}";
            GatewayAddress = $"http://127.0.0.1:{FreePort()}";
            try
            {
                _app = await StartHostAsync(GrpcAddress, GatewayAddress, Time);
                break;
            }
            catch (IOException ex) when (attempt < 5 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }

        Channel = CreateChannel(GrpcAddress);
    }

    /// <summary>
    /// Starts another broker process-equivalent (its own host, caches and jobs) on the same database:
    /// a second replica. The caller disposes it.
    /// </summary>
    public async Task<WebApplication> StartReplicaAsync(string grpcAddress, string gatewayAddress, IDictionary<string, string?>? configuration = null) =>
        await StartHostAsync(grpcAddress, gatewayAddress, Time, configuration);

    /// <summary>The master key every fixture starts with (base64).</summary>
    public static string MasterKey { get; } = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)i).ToArray());

    /// <summary>A free loopback address for a replica's endpoint.</summary>
    public static string FreeAddress(string scheme = "http") => $"{scheme}://127.0.0.1:{FreePort()}";

    private async Task<WebApplication> StartHostAsync(string grpcAddress, string gatewayAddress, TimeProvider time, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Broker"] = ConnectionString,
            ["Broker:BootstrapAdminToken"] = BootstrapToken,
            ["Broker:MasterKey"] = MasterKey,
            ["Broker:ExpirySweepInterval"] = "01:00:00",
            ["Broker:AuditSealInterval"] = "00:00:00.200",
            ["Kestrel:Endpoints:Grpc:Url"] = grpcAddress,
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:Gateway:Url"] = gatewayAddress,
            ["Kestrel:Endpoints:Gateway:Protocols"] = "Http1AndHttp2",
            ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("BROKER_TEST_LOGLEVEL") ?? "Warning",
        };
        foreach (var (key, value) in Configuration.Concat(extra ?? new Dictionary<string, string?>()))
        {
            settings[key] = value;
        }

        return await BrokerApp.StartAsync([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddSingleton(time);
            ConfigureServices(builder.Services);
        });
    }

    public virtual async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (ConnectionString.Length > 0)
        {
            await PostgresServer.DropDatabaseAsync(ConnectionString);
        }
    }

    /// <summary>A complete, unique set-up: owner, workload, provider, purpose, grant and tokens for each role.</summary>
    public async Task<World> SeedAsync(Action<CreatePurposeRequest>? purpose = null, Action<RegisterProviderRequest>? provider = null)
    {
        var n = Interlocked.Increment(ref _seeds);
        var owner = await Admin.CreateOwnerAsync(new CreateOwnerRequest { Name = $"team-{n}", Email = $"team-{n}@example.com" }, AdminAuth);
        var workload = await Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = $"spiffe://test.local/agent-{n}", OwnerId = owner.Id }, AdminAuth);
        var providerRequest = new RegisterProviderRequest { Name = $"openai-{n}", Kind = "openai", BaseUrl = "https://api.openai.example", RootKey = "sk-test-root-" + n };
        provider?.Invoke(providerRequest);
        var registered = await Admin.RegisterProviderAsync(providerRequest, AdminAuth);
        var purposeRequest = new CreatePurposeRequest
        {
            Name = $"purpose-{n}",
            Description = "integration test purpose",
            OwnerId = owner.Id,
            RiskTier = V1.RiskTier.Internal,
            DefaultTtl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(15)),
            MaxTtl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(1)),
            MaxLifetime = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(4)),
            AllowedProviders = { registered.Name },
            AllowedModels = { "gpt-4o-mini", "gpt-4.1*" },
        };
        purpose?.Invoke(purposeRequest);
        var createdPurpose = await Admin.CreatePurposeAsync(purposeRequest, AdminAuth);
        await Admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = workload.Id, PurposeId = createdPurpose.Id }, AdminAuth);

        async Task<string> Token(Role role, string? ownerId = null, string? workloadId = null) =>
            (await Admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = role, OwnerId = ownerId ?? string.Empty, WorkloadId = workloadId ?? string.Empty }, AdminAuth)).Token;

        return new World(owner, workload, registered, createdPurpose,
            await Token(Role.Workload, workloadId: workload.Id),
            await Token(Role.Owner, ownerId: owner.Id),
            await Token(Role.Security),
            await Token(Role.Admin));
    }

    /// <summary>Issues a credential as the world's workload.</summary>
    public async Task<IssueCredentialResponse> IssueAsync(World world, TimeSpan? ttl = null, IDictionary<string, string>? labels = null)
    {
        var request = new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name };
        if (ttl is { } t)
        {
            request.Ttl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(t);
        }

        if (labels is not null)
        {
            request.Labels.Add(labels);
        }

        return await Credentials.IssueCredentialAsync(request, Bearer(world.WorkloadToken));
    }

    /// <summary>Row count of a table, for "writes nothing" assertions.</summary>
    public async Task<long> CountAsync(string table, string where = "true")
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE {where}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs SQL directly (tampering tests, inspection).</summary>
    public async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Counts of every table a bad request must not touch.</summary>
    public async Task<string> SnapshotAsync()
    {
        var tables = new[] { "owners", "workloads", "purposes", "grants", "providers", "credentials", "access_tokens", "revocation_watermarks" };
        var parts = new List<string>();
        foreach (var table in tables)
        {
            parts.Add($"{table}={await CountAsync(table)}");
        }

        parts.Add($"credentials_active={await CountAsync("credentials", "status = 'active'")}");
        parts.Add($"audit_success={await CountAsync("audit_events", "outcome = 'success'")}");
        return string.Join(' ', parts);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>What <see cref="BrokerFixture.SeedAsync"/> created.</summary>
public sealed record World(
    Owner Owner, Workload Workload, Provider Provider, Purpose Purpose,
    string WorkloadToken, string OwnerToken, string SecurityToken, string AdminToken);
