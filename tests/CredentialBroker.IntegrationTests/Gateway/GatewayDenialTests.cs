using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Gateway;

/// <summary>
/// Every check refuses with the right status, the provider's error shape and a message naming what
/// tripped; nothing is forwarded, nothing is charged, the refusal is audited.
/// </summary>
public sealed class GatewayDenialTests(GatewayFixture broker) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("missing_key", 401, "missing_api_key", "No API key")]
    [InlineData("malformed_key", 401, "invalid_api_key", "not a broker credential key")]
    [InlineData("unknown_key", 401, "invalid_api_key", "not known")]
    [InlineData("revoked", 401, "key_revoked", "has been revoked")]
    [InlineData("expired", 401, "key_expired", "expired at")]
    [InlineData("wrong_provider_path", 404, "wrong_provider", "call it under /openai/v1/")]
    [InlineData("endpoint_not_allowed", 403, "endpoint_not_allowed", "does not allow the 'embeddings' endpoint")]
    [InlineData("model_not_allowed", 403, "model_not_allowed", "Model 'o3-pro' is not allowed")]
    [InlineData("max_tokens_over_cap", 403, "max_output_tokens_exceeded", "allows at most 50 output tokens per call")]
    [InlineData("depth_too_deep", 403, "call_depth_exceeded", "Call depth 2")]
    [InlineData("depth_malformed", 400, "invalid_call_depth", "Broker-Call-Depth")]
    [InlineData("malformed_json", 400, "invalid_request", "not valid JSON")]
    [InlineData("missing_model", 400, "invalid_request", "model")]
    [InlineData("too_large", 413, "request_too_large", "larger than the gateway's limit")]
    [InlineData("unpriced", 403, "unpriced_model", "has no price")]
    [InlineData("unknown_endpoint", 404, "unknown_endpoint", "does not serve")]
    [InlineData("rate_limited", 429, "rate_limit_exceeded", "credential rate limit of 1 requests per minute")]
    [InlineData("budget", 429, "budget_exceeded", "the credential's daily budget of $0.0001")]
    [InlineData("token_budget", 429, "budget_exceeded", "the credential's daily budget of $1.00 / 50 tokens (")]
    public async Task Check_Refuses_WritesNothingForwardsNothing(string scenario, int status, string code, string messagePart)
    {
        var world = await broker.SeedGatewayAsync(p =>
        {
            p.AllowedEndpoints.Add("chat.completions");
            p.AllowedEndpoints.Add("messages");
            p.MaxOutputTokens = 50;
            p.MaxCallDepth = 1;
            p.CredentialLimits = new Limits
            {
                RequestsPerMinute = scenario == "rate_limited" ? 1 : 0,
                Budgets = { new Budget { Window = BudgetWindow.Day, MaxMicroUsd = scenario == "budget" ? 100 : 1_000_000, MaxTokens = scenario == "token_budget" ? 50 : 0 } },
            };
        }, purpose: p => p.AllowedModels.Add("unpriced-model"));
        var issued = await broker.IssueAsync(world);
        var key = issued.Secret;
        object body = GatewayFixture.Chat(maxTokens: 10);
        var path = "/openai/v1/chat/completions";
        Dictionary<string, string>? headers = null;
        switch (scenario)
        {
            case "missing_key": key = string.Empty; break;
            case "malformed_key": key = "sk-not-ours"; break;
            case "unknown_key": key = Server.Credentials.SecretKey.Generate(Server.Credentials.SecretKey.CredentialKind); break;
            case "revoked":
                await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id, Reason = "test" }, BrokerFixture.Bearer(world.OwnerToken));
                break;
            case "expired":
                // Time only moves forward; later tests issue fresh credentials.
                broker.Time.Advance(TimeSpan.FromHours(1));
                break;
            case "wrong_provider_path": path = "/anthropic/v1/messages"; break;
            case "endpoint_not_allowed": path = "/openai/v1/embeddings"; body = new { model = "text-embedding-3-small", input = "x" }; break;
            case "model_not_allowed": body = GatewayFixture.Chat(model: "o3-pro"); break;
            case "max_tokens_over_cap": body = GatewayFixture.Chat(maxTokens: 51); break;
            case "depth_too_deep": headers = new() { ["Broker-Call-Depth"] = "2" }; break;
            case "depth_malformed": headers = new() { ["Broker-Call-Depth"] = "-1" }; break;
            case "malformed_json": body = "{\"model\": \"gpt-4o-mini\", "; break;
            case "missing_model": body = """{"messages":[{"role":"user","content":"hi"}]}"""; break;
            case "too_large": body = GatewayFixture.Chat().ToString()!.Replace("hello", new string('x', 5 * 1024 * 1024), StringComparison.Ordinal); break;
            case "unpriced": body = GatewayFixture.Chat(model: "unpriced-model"); break;
            case "unknown_endpoint": path = "/openai/v1/images/generations"; break;
            case "rate_limited":
                using (var first = await broker.PostAsync(path, key, body))
                {
                    Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                }

                break;
            case "budget": body = GatewayFixture.Chat(maxTokens: 50); break;
            case "token_budget": body = GatewayFixture.Chat(maxTokens: 45); break;
        }

        await broker.FlushUsageAsync();
        var usageBefore = await broker.CountAsync("usage_events", $"credential_id = '{issued.Credential.Id}'");
        var spentBefore = await broker.CountAsync("budget_counters", $"scope_id = '{issued.Credential.Id}' AND (spent_micro_usd > 0 OR reserved_micro_usd > 0)");
        var deniedBefore = await broker.CountAsync("audit_events", "action = 'gateway.denied'");
        broker.Upstream.ClearRequests();

        using var response = await broker.PostAsync(path, key, body, headers);

        Assert.Equal(status, (int)response.StatusCode);
        var (actualCode, message) = await GatewayFixture.ErrorAsync(response);
        Assert.Equal(code, actualCode);
        Assert.Contains(messagePart, message, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Secret, message, StringComparison.Ordinal);
        Assert.Empty(broker.Upstream.Requests);
        await broker.FlushUsageAsync();
        Assert.Equal(usageBefore, await broker.CountAsync("usage_events", $"credential_id = '{issued.Credential.Id}'"));
        Assert.Equal(spentBefore, await broker.CountAsync("budget_counters", $"scope_id = '{issued.Credential.Id}' AND (spent_micro_usd > 0 OR reserved_micro_usd > 0)"));
        if (scenario != "unknown_endpoint")
        {
            Assert.Equal(deniedBefore + 1, await broker.CountAsync("audit_events", "action = 'gateway.denied'"));
        }

        if (status == 429 && code == "rate_limit_exceeded")
        {
            Assert.True(response.Headers.RetryAfter is not null, "a rate-limit refusal says when to retry");
        }
    }

    [Fact]
    public async Task OwnerLimits_ApplyAcrossTheOwnersCredentials_AndChangeAtOnce()
    {
        var world = await broker.SeedGatewayAsync();
        var first = await broker.KeyAsync(world);
        var second = await broker.KeyAsync(world);
        await broker.Admin.SetOwnerLimitsAsync(new SetOwnerLimitsRequest { OwnerId = world.Owner.Id, Limits = new Limits { RequestsPerMinute = 1 } }, broker.AdminAuth);

        using (var ok = await broker.PostAsync("/openai/v1/chat/completions", first, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var refused = await broker.PostAsync("/openai/v1/chat/completions", second, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("owner rate limit of 1 requests per minute", (await GatewayFixture.ErrorAsync(refused)).Message, StringComparison.Ordinal);
        }

        await broker.Admin.SetOwnerLimitsAsync(new SetOwnerLimitsRequest { OwnerId = world.Owner.Id, Limits = new Limits() }, broker.AdminAuth);
        using var again = await broker.PostAsync("/openai/v1/chat/completions", second, GatewayFixture.Chat());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task PurposePolicyChange_TakesEffectOnTheNextCall()
    {
        var world = await broker.SeedGatewayAsync();
        var key = await broker.KeyAsync(world);
        using (var ok = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await broker.Admin.UpdatePurposeAsync(new UpdatePurposeRequest
        {
            Id = world.Purpose.Id,
            Gateway = new GatewayPolicy { AllowedEndpoints = { "embeddings" } },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "gateway" } },
        }, broker.AdminAuth);

        using var refused = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("endpoint_not_allowed", (await GatewayFixture.ErrorAsync(refused)).Code);
    }

    [Fact]
    public async Task AnthropicRoute_RefusesInAnthropicErrorShape()
    {
        using var response = await broker.PostAsync("/anthropic/v1/messages", "cbk_nope", new { model = "claude-sonnet-4-5", max_tokens = 5, messages = Array.Empty<object>() }, anthropicHeader: true);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var json = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("error", json["type"]!.GetValue<string>());
        Assert.Equal("authentication_error", json["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task SenderBoundPurpose_RefusesAKeyWithoutItsWorkloadIdentity()
    {
        var world = await broker.SeedGatewayAsync(p => p.RequireSenderBinding = true);
        var key = await broker.KeyAsync(world);
        broker.Upstream.ClearRequests();

        using var response = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var (code, message) = await GatewayFixture.ErrorAsync(response);
        Assert.Equal("sender_required", code);
        Assert.Contains("client certificate", message, StringComparison.Ordinal);
        Assert.Empty(broker.Upstream.Requests);
    }
}
