using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;

namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>A gateway that calls more than 3 calls in flight on one key a fan-out burst.</summary>
public sealed class FanOutFixture : GatewayFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:Anomalies:FanOutLimit"] = "3",
    };
}

public sealed class FanOutTests(FanOutFixture broker) : IClassFixture<FanOutFixture>
{
    [Fact]
    public async Task ConcurrentCallsOverTheLimit_AllServed_KeyNarrowedOnce()
    {
        var world = await broker.SeedGatewayAsync(p => p.CredentialLimits = new V1.Limits { RequestsPerMinute = 100 });
        var issued = await broker.IssueAsync(world);
        var calm = await broker.IssueAsync(world);
        broker.Upstream.ResponseDelay = TimeSpan.FromMilliseconds(500);
        try
        {
            var burst = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                using var response = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat());
                return response.StatusCode;
            }));
            var sequential = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                using var response = await broker.PostAsync("/openai/v1/chat/completions", calm.Secret, GatewayFixture.Chat());
                sequential.Add(response.StatusCode);
            }

            // The real-time check never slows or refuses the calls that show the burst.
            Assert.All(burst, s => Assert.Equal(HttpStatusCode.OK, s));
            Assert.All(sequential, s => Assert.Equal(HttpStatusCode.OK, s));
        }
        finally
        {
            broker.Upstream.ResponseDelay = TimeSpan.Zero;
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && await broker.CountAsync("anomalies", $"credential_id = '{issued.Credential.Id}'") == 0)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, await broker.CountAsync("anomalies", $"credential_id = '{issued.Credential.Id}' AND kind = 'fan_out' AND action = 'narrow' AND (evidence->>'in_flight')::int > 3"));
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND (narrowed_limits->>'requestsPerMinute')::int = 25"));
        Assert.Equal(0, await broker.CountAsync("anomalies", $"credential_id = '{calm.Credential.Id}'"));
    }
}
