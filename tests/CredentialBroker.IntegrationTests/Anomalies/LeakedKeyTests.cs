using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CredentialBroker.IntegrationTests.Identity;
using CredentialBroker.Simulator;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>A key issued to workload A, presented with the identity of workload B: stopped without a person acting.</summary>
public sealed class LeakedKeyTests(JwtBrokerFixture broker) : IClassFixture<JwtBrokerFixture>
{
    [Fact]
    public async Task KeyPresentedByAnotherWorkload_IsSuspended_AndTheNextCallRefused()
    {
        await using var upstream = await SimulatedProvider.StartAsync();
        var world = await broker.SeedAsync(
            p =>
            {
                p.AllowedModels.Clear();
                p.Gateway = new GatewayPolicy { UnpricedPolicy = UnpricedPolicy.Cap, UnpricedCapMicroUsd = 10 };
            },
            p => p.BaseUrl = upstream.BaseUrl);
        var issued = await broker.IssueAsync(world);
        var other = await broker.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = "spiffe://test.local/leak-receiver", OwnerId = world.Owner.Id }, broker.AdminAuth);
        using var http = new HttpClient();

        async Task<(HttpStatusCode Status, string Body)> CallAsync(string identityJwt)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, broker.GatewayAddress + "/openai/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issued.Secret);
            request.Headers.Add("Broker-Identity", identityJwt);
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var own = await CallAsync(broker.CreateToken(world.Workload.Identity));
        Assert.Equal(HttpStatusCode.OK, own.Status);

        // The purpose does not bind senders, so this call goes through; the real-time check queues the finding.
        var leaked = await CallAsync(broker.CreateToken(other.Identity));
        Assert.Equal(HttpStatusCode.OK, leaked.Status);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND status = 'suspended'") == 0)
        {
            await Task.Delay(20);
        }

        var next = await CallAsync(broker.CreateToken(world.Workload.Identity));
        Assert.Equal(HttpStatusCode.Forbidden, next.Status);
        Assert.Contains("key_suspended", next.Body, StringComparison.Ordinal);
        Assert.Equal(1, await broker.CountAsync("anomalies",
            $"credential_id = '{issued.Credential.Id}' AND kind = 'identity_mismatch' AND action = 'suspend' AND evidence->>'presented_identities' = '{other.Identity}'"));
        Assert.Equal(1, await broker.CountAsync("audit_events",
            $"action = 'credential.suspended' AND target_id = '{issued.Credential.Id}' AND actor = 'system:anomaly-detection'"));
    }
}
