using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Webhooks;

public sealed class WebhookDeliveryTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    [Fact]
    public async Task Deliver_OwnerEvents_ArriveSignedAndInAuditOrder()
    {
        var owner = await CreateOwnerAsync();
        await fixture.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = owner.Id, Reason = "left the company" }, fixture.AdminAuth);

        var received = (await fixture.Receiver.WaitForAsync(owner.Id, 3)).Where(r => r.Path == "/json").ToList();

        Assert.Equal(["owner.created", "owner.deactivated"], received.Select(r => Json(r).GetProperty("type").GetString()));
        Assert.True(Json(received[0]).GetProperty("id").GetInt64() < Json(received[1]).GetProperty("id").GetInt64());
        Assert.Equal("left the company", Json(received[1]).GetProperty("reason").GetString());
        foreach (var request in received)
        {
            Assert.Equal(Json(request).GetProperty("type").GetString(), request.Headers["X-Broker-Event"]);
            Assert.Equal(Json(request).GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Headers["X-Broker-Delivery"]);
            var parts = request.Headers["X-Broker-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookFixture.SigningSecret), Encoding.UTF8.GetBytes(parts["t"] + "." + request.Body)));
            Assert.Equal(expected, parts["v1"]);
        }
    }

    [Fact]
    public async Task Deliver_SlackFormat_OnlyMatchingEventsAsTextMessages()
    {
        var owner = await CreateOwnerAsync();
        await fixture.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = owner.Id, Reason = "offboarded" }, fixture.AdminAuth);

        await fixture.Receiver.WaitForAsync(owner.Id, 3);
        var slack = fixture.Receiver.Requests.Where(r => r.Path == "/slack" && r.Body.Contains(owner.Id, StringComparison.Ordinal)).ToList();

        var message = Assert.Single(slack);
        var text = Json(message).GetProperty("text").GetString()!;
        Assert.Contains("*owner.deactivated*", text, StringComparison.Ordinal);
        Assert.Contains("offboarded", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliver_ReceiverFailsTwice_RetriedAndDeliveredWithoutLoss()
    {
        var marker = $"wh-retry-{Guid.NewGuid():N}"[..20];
        fixture.Receiver.FailWhenBodyContains(marker, 503, times: 2);

        var owner = await CreateOwnerAsync(marker);
        var attempts = await fixture.Receiver.WaitForAsync(owner.Id, 3);

        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Select(a => a.Headers["X-Broker-Delivery"]).Distinct());
        Assert.Equal(0, await fixture.CountAsync("webhook_dead_letters", $"seq = {attempts[0].Headers["X-Broker-Delivery"]}"));
    }

    [Fact]
    public async Task Deliver_ReceiverFailsEveryAttempt_DeadLettersAndDeliversTheNextEvent()
    {
        var marker = $"wh-dead-{Guid.NewGuid():N}"[..20];
        fixture.Receiver.FailWhenBodyContains(marker, 500, times: 3);

        var lost = await CreateOwnerAsync(marker);
        var next = await CreateOwnerAsync();
        var nextDelivered = await fixture.Receiver.WaitForAsync(next.Id, 1);

        var attempts = fixture.Receiver.Requests.Where(r => r.Body.Contains(lost.Id, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, attempts.Count);
        Assert.Single(nextDelivered);
        Assert.Equal(1, await fixture.CountAsync(
            "webhook_dead_letters",
            $"webhook = 'security-json' AND action = 'owner.created' AND attempts = 3 AND last_error LIKE 'HTTP 500%' AND seq = {attempts[0].Headers["X-Broker-Delivery"]}"));
    }

    [Fact]
    public async Task TwoReplicas_EachEventDeliveredOnce()
    {
        await using var replica = await fixture.StartReplicaAsync(BrokerFixture.FreeAddress(), BrokerFixture.FreeAddress(), fixture.WebhookSettings);
        var marker = $"wh-pair-{Guid.NewGuid():N}"[..16];
        var owners = new List<Owner>();
        for (var i = 0; i < 20; i++)
        {
            owners.Add(await CreateOwnerAsync($"{marker}-{i}"));
        }

        await fixture.Receiver.WaitForAsync(marker, 20);
        await Task.Delay(TimeSpan.FromSeconds(2)); // time for a duplicate to show up, if there were one
        var deliveries = fixture.Receiver.Requests.Where(r => r.Path == "/json" && r.Body.Contains(marker, StringComparison.Ordinal)).ToList();

        Assert.Equal(20, deliveries.Count);
        Assert.Equal(20, deliveries.Select(d => d.Headers["X-Broker-Delivery"]).Distinct().Count());
        await replica.StopAsync();
    }

    private async Task<Owner> CreateOwnerAsync(string? name = null)
    {
        name ??= $"wh-{Guid.NewGuid():N}"[..16];
        return await fixture.Admin.CreateOwnerAsync(new CreateOwnerRequest { Name = name, Email = name + "@example.com" }, fixture.AdminAuth);
    }

    private static JsonElement Json(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement;
}
