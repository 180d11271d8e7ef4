using System.Net;
using System.Net.Sockets;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace CredentialBroker.IntegrationTests.Hosting;

/// <summary>Missing or invalid configuration stops start-up with one message that names the setting.</summary>
public sealed class StartupConfigurationTests
{
    private static async Task<string> StartupFailureAsync(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Kestrel:Endpoints:Grpc:Url", "http://127.0.0.1:0");
        settings.TryAdd("Kestrel:Endpoints:Gateway:Url", "http://127.0.0.1:0");
        settings.TryAdd("Logging:LogLevel:Default", "None");
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await BrokerApp.StartAsync([], b => b.Configuration.AddInMemoryCollection(settings));
        });
        var message = BrokerApp.Describe(ex);
        Assert.True(message is not null, $"Start-up failed without an operator-facing message: {ex}");
        return message!;
    }

    [Fact]
    public async Task Start_NoConnectionString_NamesTheSettingAndDevMode()
    {
        var message = await StartupFailureAsync(new() { ["ConnectionStrings:Broker"] = "" });
        Assert.Contains("ConnectionStrings:Broker is not set", message);
        Assert.Contains("-- dev", message);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5081")]
    [InlineData("http://10.1.2.3:5081")]
    [InlineData("http://[::]:5081")]
    [InlineData("http://broker.internal:5081")]
    public async Task Start_PlaintextListenerOffLoopback_IsRefusedWithTheWayOut(string url)
    {
        var message = await StartupFailureAsync(new()
        {
            ["ConnectionStrings:Broker"] = "Host=127.0.0.1;Database=x;Username=x",
            ["Kestrel:Endpoints:Gateway:Url"] = url,
        });
        Assert.Contains("Kestrel:Endpoints:Gateway:Url", message);
        Assert.Contains("in the clear", message);
        Assert.Contains("Broker:AllowPlaintextNonLoopback", message);
    }

    [Fact]
    public async Task Start_PlaintextOffLoopbackExplicitlyAllowed_Starts()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Broker"] = await PostgresServer.CreateDatabaseAsync(),
            ["Broker:AllowPlaintextNonLoopback"] = "true",
            ["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Gateway:Url"] = "http://0.0.0.0:0",
            ["Logging:LogLevel:Default"] = "None",
        };
        await using var app = await BrokerApp.StartAsync([], b => b.Configuration.AddInMemoryCollection(settings));
        await app.StopAsync();
    }

    [Fact]
    public async Task Start_MalformedConnectionString_SaysSo()
    {
        var message = await StartupFailureAsync(new() { ["ConnectionStrings:Broker"] = "Hots=nowhere;Frobnicate=yes" });
        Assert.Contains("not a valid PostgreSQL connection string", message);
    }

    [Fact]
    public async Task Start_ShortBootstrapToken_NamesTheSetting()
    {
        var message = await StartupFailureAsync(new()
        {
            ["ConnectionStrings:Broker"] = await PostgresServer.CreateDatabaseAsync(),
            ["Broker:BootstrapAdminToken"] = "short",
        });
        Assert.Contains("Broker:BootstrapAdminToken must be at least 32 characters", message);
    }

    [Fact]
    public async Task Start_UnreachableDatabase_RetriesThenReportsHostAndAttempts()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var message = await StartupFailureAsync(new()
        {
            ["ConnectionStrings:Broker"] = $"Host=127.0.0.1;Port={closedPort};Username=postgres;Database=broker;Timeout=2",
            ["Broker:DatabaseStartupTimeout"] = "00:00:03",
        });

        Assert.Contains($"127.0.0.1:{closedPort} is not reachable after", message);
    }

    [Fact]
    public async Task Start_InconsistentIdentitySettings_ListsEveryProblem()
    {
        var message = await StartupFailureAsync(new()
        {
            ["ConnectionStrings:Broker"] = await PostgresServer.CreateDatabaseAsync(),
            ["Broker:JwtIssuers:0:Issuer"] = "https://issuer.example",
            ["Broker:JwtIssuers:0:Audience"] = "broker",
            ["Broker:ClientCertificateCaFile"] = "/nonexistent/ca.pem",
            ["Broker:MasterKey"] = "c2hvcnQ=",
        });

        Assert.Contains("Broker:JwtIssuers:0 needs exactly one of JwksFile or JwksUrl", message);
        Assert.Contains("Broker:ClientCertificateCaFile '/nonexistent/ca.pem' does not exist", message);
        Assert.Contains("Broker:MasterKey must be base64 of 32 bytes", message);
    }
}
