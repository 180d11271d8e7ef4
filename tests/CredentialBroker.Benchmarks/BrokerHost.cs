using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CredentialBroker.Server.DevMode;
using CredentialBroker.Server.Hosting;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// The real broker on Kestrel (plaintext HTTP/2 on loopback) in this process, seeded through the
/// AdminService with one owner, workload, provider, purpose and grant, and a workload access token.
/// </summary>
internal sealed class BrokerHost : IAsyncDisposable
{

    private readonly WebApplication _app;
    private readonly GrpcChannel[] _channels;
    private readonly Simulator.SimulatedProvider _upstream;

    /// <summary>
    /// The benchmark's purposes are sandbox tier and their keys carry a closed loop of identical prompts far
    /// above the tier's ceilings: anomaly detection runs (its cost is measured) but only alerts, never narrows,
    /// suspends or revokes, or the keys under measurement would be refused part-way through a leg.
    /// </summary>
    private static readonly Dictionary<string, string> _alertOnly = new()
    {
        ["Broker:Anomalies:Sandbox:Spike"] = "Alert",
        ["Broker:Anomalies:Sandbox:Ceiling"] = "Alert",
        ["Broker:Anomalies:Sandbox:IdentityMismatch"] = "Alert",
        ["Broker:Anomalies:Sandbox:Loop"] = "Alert",
        ["Broker:Anomalies:Sandbox:FanOut"] = "Alert",
    };

    private bool _stopped;

    private BrokerHost(WebApplication app, GrpcChannel[] channels, DevSeed.Result seed, string adminToken, string masterKey, Simulator.SimulatedProvider upstream, string gatewayAddress, string connectionString)
    {
        _app = app;
        ReplicaEnvironment = _alertOnly.Select(s => KeyValuePair.Create(s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value))
            .Append(KeyValuePair.Create("Broker__BootstrapAdminToken", adminToken))
            .Append(KeyValuePair.Create("Broker__MasterKey", masterKey))
            .Append(KeyValuePair.Create("ConnectionStrings__Broker", connectionString))
            .Append(KeyValuePair.Create("Logging__LogLevel__Default", "Warning"))
            .ToDictionary();
        _channels = channels;
        _upstream = upstream;
        GatewayAddress = gatewayAddress;
        OwnerId = seed.OwnerId;
        WorkloadAuth = new Metadata { { "authorization", "Bearer " + seed.WorkloadToken } };
        AdminAuth = new Metadata { { "authorization", "Bearer " + adminToken } };
    }

    /// <summary>Channels the callers share, round robin; each is one HTTP/2 connection at up to 100 concurrent calls.</summary>
    public IReadOnlyList<GrpcChannel> Channels => _channels;

    public Metadata WorkloadAuth { get; }

    /// <summary>The bootstrap admin token, for seeding more through the AdminService.</summary>
    public Metadata AdminAuth { get; }

    /// <summary>The seeded owner (<see cref="DevSeed.Owner"/>).</summary>
    public string OwnerId { get; }

    /// <summary>The simulated upstream the seeded providers point at (dev mode's).</summary>
    public string UpstreamAddress => _upstream.BaseUrl;

    /// <summary>
    /// What a server process needs to act as another replica of this broker: the same database, bootstrap
    /// admin token and the master key the seeded providers' root keys are encrypted under (and quiet logs).
    /// </summary>
    public IReadOnlyDictionary<string, string> ReplicaEnvironment { get; }

    /// <summary>The broker's gateway endpoint.</summary>
    public string GatewayAddress { get; }

    /// <summary>The request every issuing caller sends: the seeded purpose and provider, default TTL.</summary>
    public static IssueCredentialRequest CreateIssueRequest() => new() { Purpose = DevSeed.Purpose, Provider = DevSeed.Provider };

    /// <summary>The broker's services (its options, its Quartz scheduler).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the broker; <paramref name="configuration"/> adds to (or overrides) the benchmark's own settings.</summary>
    public static async Task<BrokerHost> StartAsync(
        string connectionString, int channels, IReadOnlyDictionary<string, string?> configuration, CancellationToken cancellationToken)
    {
        var adminToken = "bench-admin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var grpcAddress = $"http://127.0.0.1:{FreePort()}";
        var gatewayAddress = $"http://127.0.0.1:{FreePort()}";
        var upstream = await Simulator.SimulatedProvider.StartAsync(cancellationToken: cancellationToken);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Broker"] = connectionString,
            ["Broker:BootstrapAdminToken"] = adminToken,
            ["Broker:MasterKey"] = masterKey,
            ["Kestrel:Endpoints:Grpc:Url"] = grpcAddress,
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:Gateway:Url"] = gatewayAddress,
            ["Kestrel:Endpoints:Gateway:Protocols"] = "Http1AndHttp2",
            ["Logging:LogLevel:Default"] = "Warning",
            // stdout carries the Markdown report; the broker's log lines go to stderr with the progress.
            ["Logging:Console:LogToStandardErrorThreshold"] = "Trace",
        };
        foreach (var (key, value) in configuration)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in _alertOnly)
        {
            settings[key] = value;
        }

        var app = await BrokerApp.StartAsync([], builder => builder.Configuration.AddInMemoryCollection(settings), cancellationToken);
        var opened = new List<GrpcChannel>();
        try
        {
            for (var i = 0; i < channels; i++)
            {
                opened.Add(GrpcChannel.ForAddress(grpcAddress));
            }

            // The same seed as dev mode (through the public API): one owner, workload, provider, purpose, grant.
            var seed = await DevSeed.RunAsync(grpcAddress, adminToken, upstream.BaseUrl);
            return new BrokerHost(app, [.. opened], seed, adminToken, masterKey, upstream, gatewayAddress, connectionString);
        }
        catch
        {
            opened.ForEach(c => c.Dispose());
            await app.DisposeAsync();
            await upstream.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops the in-process broker (cleanly: it leaves the replica registry and its jobs) and keeps the
    /// simulated upstream, so server processes on the same database take over alone.
    /// </summary>
    public async Task StopServerAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await StopServerAsync();
        await _upstream.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
