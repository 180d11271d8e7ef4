using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CredentialBroker.IntegrationTests.Identity;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Simulator;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Gateway;

/// <summary>A sender-bound purpose: the key works only together with the identity of the workload it was issued to.</summary>
public sealed class SenderBindingTests(JwtBrokerFixture broker) : IClassFixture<JwtBrokerFixture>
{
    [Fact]
    public async Task BoundKey_WorksWithItsWorkloadsJwt_AndNotWithAnotherIdentity()
    {
        await using var upstream = await SimulatedProvider.StartAsync();
        var world = await broker.SeedAsync(
            p =>
            {
                p.AllowedModels.Clear();
                p.Gateway = new GatewayPolicy { RequireSenderBinding = true, UnpricedPolicy = UnpricedPolicy.Cap, UnpricedCapMicroUsd = 10 };
            },
            p => p.BaseUrl = upstream.BaseUrl);
        var issued = await broker.IssueAsync(world);
        var other = await broker.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = "spiffe://test.local/someone-else", OwnerId = world.Owner.Id }, broker.AdminAuth);
        using var http = new HttpClient();

        async Task<(HttpStatusCode Status, string Body)> CallAsync(string? identityJwt)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, broker.GatewayAddress + "/openai/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issued.Secret);
            if (identityJwt is not null)
            {
                request.Headers.Add("Broker-Identity", identityJwt);
            }

            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var own = await CallAsync(broker.CreateToken(world.Workload.Identity));
        var forged = await CallAsync(broker.CreateToken(world.Workload.Identity, signingKey: JwtBrokerFixture.NewKey()));
        var none = await CallAsync(null);
        // Last: a key presented by another identity is also an anomaly that suspends the key (AnomalyActionTests).
        var stranger = await CallAsync(broker.CreateToken(other.Identity));

        Assert.Equal(HttpStatusCode.OK, own.Status);
        using (var flush = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Server.Gateway.UsageRecorder>(broker.Services).FlushAsync(flush.Token);
        }

        Assert.Equal(1, await broker.CountAsync("usage_events", $"credential_id = '{issued.Credential.Id}' AND caller_identity = '{world.Workload.Identity}'"));
        Assert.Equal(HttpStatusCode.Forbidden, stranger.Status);
        Assert.Contains("sender_mismatch", stranger.Body, StringComparison.Ordinal);
        Assert.Contains("someone-else", stranger.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, forged.Status);
        Assert.Contains("sender_invalid", forged.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, none.Status);
        Assert.Contains("sender_required", none.Body, StringComparison.Ordinal);
    }
}
