using CredentialBroker.Client.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace CredentialBroker.Client.Tests.Renewal;

/// <summary>Background renewal against a fake broker, on a fake clock.</summary>
public sealed class RenewalRetryTests
{
    [Fact]
    public async Task Renewal_TransientFailure_RetriedAfterBackoffKeepingSameKey()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fake = new FakeBroker(time);
        using var host = ClientHost.Build(o =>
        {
            o.Address = "http://broker.test";
            o.Purpose = "p";
            o.Provider = "openai";
            o.AccessToken = "static-token";
            o.RetryBaseDelay = TimeSpan.FromSeconds(1);
        }, time, services: fake.Register);
        await host.StartAsync();
        var first = host.Credentials().CurrentCredential!;
        fake.Failures.Enqueue(StatusCode.Unavailable);

        time.Advance(TimeSpan.FromMinutes(10));
        await ClientHost.WaitUntilAsync(() => host.Manager().Retries == 1, "the failed renewal");
        Assert.Equal(0, host.Manager().Renewals);

        // Full jitter on the first retry: at most the base delay.
        time.Advance(TimeSpan.FromSeconds(1));
        await ClientHost.WaitUntilAsync(() => host.Manager().Renewals == 1, "the retried renewal");

        var renewed = host.Credentials().CurrentCredential!;
        Assert.Equal(first.Key, renewed.Key);
        Assert.True(renewed.ExpiresAt > first.ExpiresAt);
        await host.StopAsync();
    }
}
