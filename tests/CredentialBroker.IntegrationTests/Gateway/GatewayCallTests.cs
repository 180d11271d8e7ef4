using System.Net;
using System.Text.Json.Nodes;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Gateway;

/// <summary>Calls that go through: forwarded with the root key, streamed, metered and settled.</summary>
public sealed class GatewayCallTests(GatewayFixture broker) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Chat_ForwardsWithRootKeyAndMetersReportedUsage()
    {
        var world = await broker.SeedGatewayAsync(p => p.CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 1_000_000 } } });
        var issued = await broker.IssueAsync(world);
        broker.Upstream.ClearRequests();

        using var response = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat(maxTokens: 10),
            new Dictionary<string, string> { ["Broker-Call-Depth"] = "0" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(4, json["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(10, json["usage"]!["completion_tokens"]!.GetValue<int>());

        var forwarded = Assert.Single(broker.Upstream.Requests);
        Assert.Equal("/v1/chat/completions", forwarded.Path);
        Assert.Equal("Bearer " + "sk-test-root-" + world.Owner.Name.Split('-')[1], forwarded.Headers["Authorization"]);
        Assert.DoesNotContain(forwarded.Headers, h => h.Value.Contains(issued.Secret, StringComparison.Ordinal));
        Assert.False(forwarded.Headers.ContainsKey("Broker-Call-Depth"));

        await broker.FlushUsageAsync();
        var usage = await broker.UsageClient.GetUsageAsync(new GetUsageRequest { CredentialId = issued.Credential.Id, Window = BudgetWindow.Lifetime }, BrokerFixture.Bearer(world.OwnerToken));
        Assert.Equal(1, usage.Totals.Requests);
        Assert.Equal(4, usage.Totals.InputTokens);
        Assert.Equal(10, usage.Totals.OutputTokens);
        Assert.Equal(4 + (10 * 2), usage.Totals.CostMicroUsd);
        var budget = Assert.Single(usage.Budgets);
        Assert.Equal(24, budget.SpentMicroUsd);
        Assert.Equal(0, budget.ReservedMicroUsd);
    }

    [Fact]
    public async Task ChatStream_AsksForUsageAndMetersTheStream()
    {
        var world = await broker.SeedGatewayAsync();
        var issued = await broker.IssueAsync(world);
        broker.Upstream.ClearRequests();

        using var response = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat(maxTokens: 7, stream: true));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("data: [DONE]", text, StringComparison.Ordinal);
        var forwarded = JsonNode.Parse(Assert.Single(broker.Upstream.Requests).Body)!;
        Assert.True(forwarded["stream_options"]!["include_usage"]!.GetValue<bool>());

        await broker.FlushUsageAsync();
        var row = await broker.UsageRowAsync(issued.Credential.Id);
        Assert.Equal("4 0 7 18 reported success True", row);
    }

    [Fact]
    public async Task AnthropicStream_WithXApiKey_MetersMessageDeltaUsage()
    {
        var world = await broker.SeedGatewayAsync(kind: "anthropic");
        var issued = await broker.IssueAsync(world);
        broker.Upstream.ClearRequests();

        using var response = await broker.PostAsync("/anthropic/v1/messages", issued.Secret,
            new { model = "claude-sonnet-4-5", max_tokens = 12, stream = true, messages = new[] { new { role = "user", content = "hi there" } } },
            anthropicHeader: true);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("event: message_stop", text, StringComparison.Ordinal);
        var forwarded = Assert.Single(broker.Upstream.Requests);
        Assert.Equal("sk-test-root-" + world.Owner.Name.Split('-')[1], forwarded.Headers["x-api-key"]);
        Assert.False(forwarded.Headers.ContainsKey("Authorization"));

        await broker.FlushUsageAsync();
        Assert.Equal("5 0 12 29 reported success True", await broker.UsageRowAsync(issued.Credential.Id));
    }

    [Fact]
    public async Task ClientDisconnectMidStream_IsMeteredWithWhatWasGenerated()
    {
        var world = await broker.SeedGatewayAsync();
        var issued = await broker.IssueAsync(world);
        broker.Upstream.Options.DelayPerToken = TimeSpan.FromMilliseconds(20);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, broker.GatewayAddress + "/openai/v1/chat/completions")
            {
                Content = new StringContent((string)GatewayFixture.Chat(maxTokens: 500, stream: true), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", issued.Secret);
            using (var response = await broker.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
            {
                await using var stream = await response.Content.ReadAsStreamAsync();
                using var reader = new StreamReader(stream);
                var events = 0;
                while (events < 10 && await reader.ReadLineAsync() is { } line)
                {
                    events += line.StartsWith("data:", StringComparison.Ordinal) ? 1 : 0;
                }
            }

            // The client is gone; the broker settles with what was generated so far.
            await WaitUntilAsync(async () => await broker.CountAsync("usage_events", $"credential_id = '{issued.Credential.Id}'") == 1 || await FlushAndCountAsync(issued.Credential.Id));
            var row = await broker.UsageRowAsync(issued.Credential.Id);
            var parts = row.Split(' ');
            Assert.Equal("client_disconnected", parts[5]);
            Assert.Equal("estimated", parts[4]);
            var output = long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(output, 5, 499);
        }
        finally
        {
            broker.Upstream.Options.DelayPerToken = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task UpstreamError_PassesThroughAndReleasesTheReservation()
    {
        var world = await broker.SeedGatewayAsync(p => p.CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Day, MaxMicroUsd = 100_000 } } });
        var issued = await broker.IssueAsync(world);
        broker.Upstream.FailNext(500, """{"error":{"message":"upstream exploded","type":"server_error","param":null,"code":null}}""");

        using var response = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat());

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("upstream exploded", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await broker.FlushUsageAsync();
        Assert.Equal("0 0 0 0 none upstream_error False", await broker.UsageRowAsync(issued.Credential.Id));
        Assert.Equal(0, await broker.CountAsync("budget_counters", $"scope_id = '{issued.Credential.Id}' AND (reserved_micro_usd <> 0 OR spent_micro_usd <> 0)"));
        Assert.Equal(0, await broker.CountAsync("budget_reservations", $"credential_id = '{issued.Credential.Id}'"));
    }

    [Fact]
    public async Task Models_ListsOnlyWhatTheKeyMayUse()
    {
        var world = await broker.SeedGatewayAsync(purpose: p =>
        {
            p.AllowedModels.Clear();
            p.AllowedModels.Add("gpt-4o-mini");
        });
        var key = await broker.KeyAsync(world);
        using var request = new HttpRequestMessage(HttpMethod.Get, broker.GatewayAddress + "/openai/v1/models");
        request.Headers.Authorization = new("Bearer", key);

        using var response = await broker.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(["gpt-4o-mini"], ids);
    }

    [Fact]
    public async Task BudgetThreshold_RaisesOneAlertEvent()
    {
        var world = await broker.SeedGatewayAsync(p => p.CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 100, AlertPercent = 50 } } });
        var issued = await broker.IssueAsync(world);

        for (var i = 0; i < 3; i++)
        {
            using var response = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat(maxTokens: 10));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await broker.FlushUsageAsync();
        }

        // 3 calls × 24 micro-USD = 72 ≥ 50% of 100: one alert, not one per call.
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'budget.threshold_reached' AND target_id = '{issued.Credential.Id}'"));
    }

    [Fact]
    public async Task GracefulShutdown_WritesEveryAnsweredCallsUsage()
    {
        var world = await broker.SeedGatewayAsync(p => p.CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 10_000_000 } } });
        var issued = await broker.IssueAsync(world);
        var replicaGateway = BrokerFixture.FreeAddress();
        var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), replicaGateway);
        int answered;
        try
        {
            var calls = Enumerable.Range(0, 40).Select(async _ =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, replicaGateway + "/openai/v1/chat/completions")
                {
                    Content = new StringContent((string)GatewayFixture.Chat(maxTokens: 3), System.Text.Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new("Bearer", issued.Secret);
                using var response = await broker.Http.SendAsync(request);
                return response.StatusCode;
            });
            answered = (await Task.WhenAll(calls)).Count(s => s == HttpStatusCode.OK);
        }
        finally
        {
            // Stop right after the last answer: whatever is still queued must be written by shutdown.
            await replica.StopAsync();
            await replica.DisposeAsync();
        }

        Assert.Equal(40, answered);
        Assert.Equal(40, await broker.CountAsync("usage_events", $"credential_id = '{issued.Credential.Id}'"));
        Assert.Equal(0, await broker.CountAsync("budget_reservations", $"credential_id = '{issued.Credential.Id}'"));
        Assert.Equal(1, await broker.CountAsync("budget_counters", $"scope_id = '{issued.Credential.Id}' AND spent_micro_usd = {40 * (4 + (3 * 2))} AND reserved_micro_usd = 0"));
    }

    [Fact]
    public async Task GracefulShutdown_DuringAStream_LetsItFinishAndMetersIt()
    {
        var world = await broker.SeedGatewayAsync(p => p.CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 10_000_000 } } });
        var issued = await broker.IssueAsync(world);
        var replicaGateway = BrokerFixture.FreeAddress();
        var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), replicaGateway);
        broker.Upstream.Options.DelayPerToken = TimeSpan.FromMilliseconds(20);
        string text;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, replicaGateway + "/openai/v1/chat/completions")
            {
                Content = new StringContent((string)GatewayFixture.Chat(maxTokens: 100, stream: true), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", issued.Secret);
            using var response = await broker.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            using var reader = new StreamReader(stream);
            var first = await reader.ReadLineAsync();
            Assert.StartsWith("data:", first, StringComparison.Ordinal);

            // Shutdown begins mid-stream (about 2 s of generation left).
            var stopping = replica.StopAsync();
            text = await reader.ReadToEndAsync();
            await stopping;
        }
        finally
        {
            broker.Upstream.Options.DelayPerToken = TimeSpan.Zero;
            await replica.DisposeAsync();
        }

        Assert.Contains("data: [DONE]", text, StringComparison.Ordinal);
        Assert.Equal("4 0 100 204 reported success True", await broker.UsageRowAsync(issued.Credential.Id));
        Assert.Equal(0, await broker.CountAsync("budget_reservations", $"credential_id = '{issued.Credential.Id}'"));
    }

    private async Task<bool> FlushAndCountAsync(string credentialId)
    {
        await broker.FlushUsageAsync();
        return await broker.CountAsync("usage_events", $"credential_id = '{credentialId}'") == 1;
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!await condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "Timed out waiting for the condition.");
            await Task.Delay(25);
        }
    }
}
