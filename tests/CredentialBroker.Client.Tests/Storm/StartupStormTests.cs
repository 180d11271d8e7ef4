using System.Diagnostics;
using CredentialBroker.Client.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace CredentialBroker.Client.Tests.Storm;

/// <summary>A fleet restarting at once: every replica must come up with its own valid credential.</summary>
public sealed class StartupStormTests(BrokerFixture broker, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    private const int Clients = 1000;

    [Fact]
    public async Task Start_ThousandClientsAtOnce_AllObtainValidCredentials()
    {
        var world = await broker.SeedAsync();
        var hosts = Enumerable.Range(0, Clients).Select(_ => ClientHost.Build(o =>
        {
            o.Address = broker.GrpcAddress;
            o.Purpose = world.Purpose.Name;
            o.Provider = world.Provider.Name;
            o.AccessToken = world.WorkloadToken;
            o.StartupTimeout = TimeSpan.FromSeconds(60);
        })).ToList();
        try
        {
            var watch = Stopwatch.StartNew();
            var started = await Task.WhenAll(hosts.Select(async h =>
            {
                await Task.Yield();
                var start = Stopwatch.GetTimestamp();
                await h.StartAsync();
                return Stopwatch.GetElapsedTime(start);
            }));
            watch.Stop();

            var credentials = hosts.Select(h => h.Credentials().CurrentCredential).ToList();
            Assert.All(credentials, c => Assert.NotNull(c));
            Assert.Equal(Clients, credentials.Select(c => c!.Id).Distinct().Count());
            Assert.Equal(Clients, credentials.Select(c => c!.Key).Distinct().Count());
            Assert.Equal(Clients, await broker.CountAsync("credentials", $"status = 'active' AND purpose_id = '{world.Purpose.Id}'"));
            foreach (var credential in credentials.Take(5))
            {
                var stored = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = credential!.Id }, BrokerFixture.Bearer(world.WorkloadToken));
                Assert.Equal(CredentialStatus.Active, stored.Credential.Status);
            }

            var retries = hosts.Select(h => h.Manager().Retries).ToList();
            var sorted = started.Order().ToList();
            output.WriteLine($"storm: {Clients} clients, all started in {watch.Elapsed.TotalMilliseconds:F0} ms");
            output.WriteLine($"storm: total retries {retries.Sum()}, clients that retried {retries.Count(r => r > 0)}, max retries by one client {retries.Max()}");
            output.WriteLine($"storm: start-up p50 {sorted[Clients / 2].TotalMilliseconds:F0} ms, p95 {sorted[Clients * 95 / 100].TotalMilliseconds:F0} ms, max {sorted[^1].TotalMilliseconds:F0} ms");
        }
        finally
        {
            await Task.WhenAll(hosts.Select(h => h.StopAsync()));
            hosts.ForEach(h => h.Dispose());
        }
    }
}
