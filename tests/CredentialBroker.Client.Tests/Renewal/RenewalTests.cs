using CredentialBroker.Client.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Microsoft.Extensions.Hosting;

namespace CredentialBroker.Client.Tests.Renewal;

/// <summary>Renewal driven by the fixture's fake clock, which the server shares.</summary>
public sealed class RenewalTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Renewal_AtTwoThirdsOfTtl_ExtendsExpiryOfSameKey()
    {
        var world = await broker.SeedAsync();
        var logs = new RecordingLoggerProvider();
        using var host = Build(world, logs);
        await host.StartAsync();
        var first = host.Credentials().CurrentCredential!;
        var changes = 0;
        host.Credentials().CredentialChanged += (_, _) => Interlocked.Increment(ref changes);

        // Default TTL is 15 minutes: nothing at 9, renewal at 10.
        broker.Time.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(300);
        Assert.Equal(0, host.Manager().Renewals);

        broker.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await ClientHost.WaitUntilAsync(() => host.Manager().Renewals == 1, "the renewal");

        var renewed = host.Credentials().CurrentCredential!;
        Assert.Equal(first.Id, renewed.Id);
        Assert.Equal(first.Key, renewed.Key);
        Assert.True(renewed.ExpiresAt > first.ExpiresAt, "renewal moves expires_at");
        var stored = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = first.Id }, BrokerFixture.Bearer(world.WorkloadToken));
        Assert.Equal(renewed.ExpiresAt, stored.Credential.ExpiresAt.ToDateTimeOffset());
        Assert.Equal(0, changes);
        Assert.False(logs.Contains(first.Key));
        await host.StopAsync();
    }

    [Fact]
    public async Task Renewal_AfterRevocation_ReissuesNewCredentialAndNotifies()
    {
        var world = await broker.SeedAsync();
        var logs = new RecordingLoggerProvider();
        using var host = Build(world, logs);
        await host.StartAsync();
        var credentials = host.Credentials();
        var first = credentials.CurrentCredential!;
        var changed = new TaskCompletionSource<BrokerCredential>(TaskCreationOptions.RunContinuationsAsynchronously);
        credentials.CredentialChanged += (_, c) => changed.TrySetResult(c);
        var token = credentials.GetChangeToken();

        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = first.Id, Reason = "test: leaked" }, BrokerFixture.Bearer(world.OwnerToken));
        broker.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        var replacement = await changed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotEqual(first.Id, replacement.Id);
        Assert.NotEqual(first.Key, replacement.Key);
        Assert.Equal(replacement, credentials.CurrentCredential);
        Assert.True(token.HasChanged);
        Assert.Contains(logs.Entries, e => e.Id.Id == 4 && e.Text.Contains("revoked"));
        var stored = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = replacement.Id }, BrokerFixture.Bearer(world.WorkloadToken));
        Assert.Equal(CredentialStatus.Active, stored.Credential.Status);
        Assert.False(logs.Contains(first.Key) || logs.Contains(replacement.Key));
        await host.StopAsync();
    }

    [Fact]
    public async Task Renewal_NearMaxLifetime_ReissuesInsteadOfRenewing()
    {
        var world = await broker.SeedAsync(p =>
        {
            p.MaxTtl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(15));
            p.MaxLifetime = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(18));
        });
        using var host = Build(world, null);
        await host.StartAsync();
        var first = host.Credentials().CurrentCredential!;
        var changed = new TaskCompletionSource<BrokerCredential>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Credentials().CredentialChanged += (_, c) => changed.TrySetResult(c);

        broker.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        var replacement = await changed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotEqual(first.Id, replacement.Id);
        Assert.Equal(0, host.Manager().Renewals);
        await host.StopAsync();
    }

    private IHost Build(World world, RecordingLoggerProvider? logs) => ClientHost.Build(o =>
    {
        o.Address = broker.GrpcAddress;
        o.Purpose = world.Purpose.Name;
        o.Provider = world.Provider.Name;
        o.AccessToken = world.WorkloadToken;
    }, broker.Time, logs);
}
