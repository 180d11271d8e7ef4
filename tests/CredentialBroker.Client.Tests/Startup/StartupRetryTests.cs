using CredentialBroker.Client.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace CredentialBroker.Client.Tests.Startup;

/// <summary>Which start-up failures are retried, against a fake broker.</summary>
public sealed class StartupRetryTests
{
    [Fact]
    public async Task Start_TransientFailures_RetriedThenSucceeds()
    {
        var fake = new FakeBroker();
        fake.Failures.Enqueue(StatusCode.Unavailable);
        fake.Failures.Enqueue(StatusCode.ResourceExhausted);
        fake.Failures.Enqueue(StatusCode.Internal);
        using var host = ClientHost.Build(o =>
        {
            o.Address = "http://broker.test";
            o.Purpose = "p";
            o.Provider = "openai";
            o.AccessToken = "static-token";
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
        }, services: fake.Register);

        await host.StartAsync();

        Assert.Equal("cbk_fake_1", host.Credentials().CurrentCredential?.Key);
        Assert.Equal(3, host.Manager().Retries);
        Assert.All(fake.AuthorizationHeaders, h => Assert.Equal("Bearer static-token", h));
        await host.StopAsync();
    }

    [Theory]
    [InlineData(StatusCode.Unauthenticated)]
    [InlineData(StatusCode.InvalidArgument)]
    [InlineData(StatusCode.NotFound)]
    public async Task Start_Refused_NotRetried(StatusCode code)
    {
        var fake = new FakeBroker();
        fake.Failures.Enqueue(code);
        using var host = ClientHost.Build(o =>
        {
            o.Address = "http://broker.test";
            o.Purpose = "p";
            o.Provider = "openai";
            o.AccessToken = "static-token";
        }, services: fake.Register);

        var error = await Assert.ThrowsAsync<CredentialBrokerStartupException>(() => host.StartAsync());

        Assert.Equal(code, error.LastStatus);
        Assert.Contains("fake failure", error.Message);
        Assert.Single(fake.AuthorizationHeaders);
    }
}
