using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Credentials;
using CredentialBroker.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CredentialBroker.IntegrationTests.Telemetry;

/// <summary>Secrets that pass through the broker never reach a log line, at Debug level, whatever the provider.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class LogRedactionTests(LogCaptureFixture broker) : IClassFixture<LogCaptureFixture>
{
    [Fact]
    public async Task Logs_AtDebugAfterTraffic_ContainNoSecret()
    {
        var world = await broker.SeedGatewayAsync();
        var key = await broker.KeyAsync(world);
        using (var ok = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var wrongKey = SecretKey.Generate(SecretKey.CredentialKind);
        using (var denied = await broker.PostAsync("/openai/v1/chat/completions", wrongKey, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        var rootKey = "sk-proj-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        await broker.Admin.RegisterProviderAsync(
            new RegisterProviderRequest { Name = "logged-" + Guid.NewGuid().ToString("N")[..8], Kind = "openai", BaseUrl = broker.Upstream.BaseUrl, RootKey = rootKey },
            broker.AdminAuth);
        await broker.FlushUsageAsync();

        // The pipeline redacts what reaches it: a secret logged through the host's own factory comes out redacted.
        broker.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Test").LogWarning("pasted {Key} and {RootKey} with " + BrokerFixture.BootstrapToken, key, rootKey);

        var lines = broker.Lines.ToArray();
        Assert.Contains(lines, l => l.StartsWith("Debug ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("pasted " + key[..12] + "[redacted] and sk-proj-[redacted] with [redacted]", StringComparison.Ordinal));
        string[] secrets = [key, wrongKey, rootKey, BrokerFixture.BootstrapToken, BrokerFixture.MasterKey, world.WorkloadToken, world.OwnerToken, world.SecurityToken, world.AdminToken];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }
}
