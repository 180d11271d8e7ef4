using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CredentialBroker.Client.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Client.Tests.Startup;

public sealed class StartupTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Start_GrantedPurpose_HasActiveCredentialBeforeStartReturns()
    {
        var world = await broker.SeedAsync();
        var logs = new RecordingLoggerProvider();
        var app = new ProbeService();
        using var host = ClientHost.Build(o =>
        {
            o.Address = broker.GrpcAddress;
            o.Purpose = world.Purpose.Name;
            o.Provider = world.Provider.Name;
            o.AccessToken = world.WorkloadToken;
        }, logs: logs, afterClient: s => s.AddHostedService(sp => app.With(sp.GetRequiredService<ICredentialProvider>())));

        await host.StartAsync();

        var credential = host.Credentials().CurrentCredential;
        Assert.NotNull(credential);
        Assert.Same(credential, app.SeenAtStart);
        Assert.StartsWith("cbk_", credential.Key);
        Assert.False(string.IsNullOrEmpty(credential.GatewayBaseUrl));
        var stored = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = credential.Id }, BrokerFixture.Bearer(world.WorkloadToken));
        Assert.Equal(CredentialStatus.Active, stored.Credential.Status);
        Assert.Equal(stored.Credential.ExpiresAt.ToDateTimeOffset(), credential.ExpiresAt);
        Assert.True(logs.Contains(credential.Id), "the issue is logged");
        Assert.False(logs.Contains(credential.Key), "the key must never be logged");
        Assert.DoesNotContain(credential.Key, credential.ToString());
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_PurposeNotGranted_FailsFastWithServerMessage()
    {
        var granted = await broker.SeedAsync();
        var other = await broker.SeedAsync();
        using var host = ClientHost.Build(o =>
        {
            o.Address = broker.GrpcAddress;
            o.Purpose = other.Purpose.Name;
            o.Provider = other.Provider.Name;
            o.AccessToken = granted.WorkloadToken;
        });

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<CredentialBrokerStartupException>(() => host.StartAsync());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"refusals are not retried (took {watch.Elapsed})");
        Assert.Equal(StatusCode.PermissionDenied, error.LastStatus);
        var server = Assert.IsType<RpcException>(error.InnerException);
        Assert.False(string.IsNullOrWhiteSpace(server.Status.Detail));
        Assert.Contains(server.Status.Detail, error.Message);
        Assert.Contains(other.Purpose.Name, error.Message);
        Assert.Contains(broker.GrpcAddress, error.Message);
        Assert.Equal(0, host.Manager().Retries);
        Assert.Null(host.Credentials().CurrentCredential);
    }

    [Fact]
    public async Task Start_UnreachableAddress_FailsAfterBoundedWaitNamingAddressAndLastError()
    {
        var address = $"http://127.0.0.1:{FreePort()}";
        using var host = ClientHost.Build(o =>
        {
            o.Address = address;
            o.Purpose = "support-summaries";
            o.Provider = "openai";
            o.AccessToken = "token";
            o.StartupTimeout = TimeSpan.FromSeconds(2);
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
            o.RetryMaxDelay = TimeSpan.FromMilliseconds(400);
        });

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<CredentialBrokerStartupException>(() => host.StartAsync());

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(10));
        Assert.Contains(address, error.Message);
        Assert.Contains("support-summaries", error.Message);
        Assert.Contains("Unavailable", error.Message);
        Assert.Equal(StatusCode.Unavailable, error.LastStatus);
        Assert.True(host.Manager().Retries > 0, "transient failures are retried");
    }

    [Fact]
    public async Task Start_BothTokenAndJwtFile_FailsOptionsValidation()
    {
        using var host = ClientHost.Build(o =>
        {
            o.Address = broker.GrpcAddress;
            o.Purpose = "p";
            o.Provider = "openai";
            o.AccessToken = "token";
            o.JwtFile = "/var/run/secrets/token";
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("exactly one", error.Message);
    }

    /// <summary>Stands in for the app (e.g. the web server) that starts after the client.</summary>
    private sealed class ProbeService : IHostedService
    {
        private ICredentialProvider? _credentials;

        public BrokerCredential? SeenAtStart { get; private set; }

        public ProbeService With(ICredentialProvider credentials)
        {
            _credentials = credentials;
            return this;
        }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            SeenAtStart = _credentials!.CurrentCredential;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
