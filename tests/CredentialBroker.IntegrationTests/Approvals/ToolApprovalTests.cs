using System.Net;
using System.Text.Json.Nodes;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Approvals;

/// <summary>
/// High-risk tools through the real gateway: refused until a second person with the security role
/// approves, allowed while the approval lives, refused again once it expires or is withdrawn.
/// </summary>
public sealed class ToolApprovalTests(GatewayFixture broker) : IClassFixture<GatewayFixture>
{
    private const string Chat = "/openai/v1/chat/completions";

    [Fact]
    public async Task UnapprovedHighRiskTool_IsRefusedWith403NamingTheTool_AndAudited()
    {
        var (_, key) = await SetUpAsync();
        var deniedBefore = await broker.CountAsync("audit_events", "action = 'gateway.denied'");
        broker.Upstream.ClearRequests();

        using var response = await broker.PostAsync(Chat, key, ChatWithTools("read_file", "shell_exec"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var (code, message) = await GatewayFixture.ErrorAsync(response);
        Assert.Equal("tool_not_approved", code);
        Assert.Contains("Tool 'shell_exec' is high-risk", message, StringComparison.Ordinal);
        Assert.Contains("brokerctl approvals request", message, StringComparison.Ordinal);
        Assert.Equal("tool_not_approved", response.Headers.GetValues("x-broker-denial").Single());
        Assert.Empty(broker.Upstream.Requests);
        Assert.Equal(deniedBefore + 1, await broker.CountAsync("audit_events", "action = 'gateway.denied'"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'gateway.denied' AND metadata->>'code' = 'tool_not_approved' AND metadata->>'prefix' = '{Server.Credentials.SecretKey.PublicPrefix(key)}'"));
    }

    [Fact]
    public async Task NonHighRiskTools_AndCallsWithoutTools_AreUnaffected()
    {
        var (_, key) = await SetUpAsync();

        using (var plain = await broker.PostAsync(Chat, key, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        }

        using var tools = await broker.PostAsync(Chat, key, ChatWithTools("read_file", "search_docs"));
        Assert.Equal(HttpStatusCode.OK, tools.StatusCode);
    }

    [Fact]
    public async Task ApprovedTool_IsAllowed_AcrossNewCredentials_UntilTheApprovalExpires()
    {
        var (world, key) = await SetUpAsync();
        var approval = await RequestAsync(world, TimeSpan.FromMinutes(2), "shell_*");
        await ApproveAsync(world, approval.Id);

        using (var allowed = await broker.PostAsync(Chat, key, ChatWithTools("shell_exec")))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        // The approval is for the workload and purpose: a credential issued afterwards is covered too.
        var second = await broker.KeyAsync(world);
        using (var alsoAllowed = await broker.PostAsync(Chat, second, ChatWithTools("Shell_Run")))
        {
            Assert.Equal(HttpStatusCode.OK, alsoAllowed.StatusCode);
        }

        // Still refused: a high-risk tool the approval does not cover.
        using (var other = await broker.PostAsync(Chat, key, ChatWithTools("fs_delete_all")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            Assert.Contains("'fs_delete_all'", (await GatewayFixture.ErrorAsync(other)).Message, StringComparison.Ordinal);
        }

        broker.Time.Advance(TimeSpan.FromMinutes(3));
        using var expired = await broker.PostAsync(Chat, second, ChatWithTools("shell_exec"));
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Equal("tool_not_approved", (await GatewayFixture.ErrorAsync(expired)).Code);
        var listed = await broker.ApprovalClient.ListApprovalsAsync(new ListApprovalsRequest { WorkloadId = world.Workload.Id }, BrokerFixture.Bearer(world.OwnerToken));
        Assert.Equal(ApprovalStatus.Expired, listed.Approvals.Single().Status);
    }

    [Fact]
    public async Task DeniedRequest_IsRefused_AndWithdrawingAnApprovalTakesEffectAtOnce()
    {
        var (world, key) = await SetUpAsync();
        var denied = await RequestAsync(world, null, "shell_exec");
        var reviewer = await SecurityTokenAsync(ownerId: null);
        var result = await broker.ApprovalClient.DenyToolUseAsync(new DenyToolUseRequest { Id = denied.Id, Note = "use a sandbox" }, BrokerFixture.Bearer(reviewer));
        Assert.Equal(ApprovalStatus.Denied, result.Status);

        using (var refused = await broker.PostAsync(Chat, key, ChatWithTools("shell_exec")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var approved = await RequestAsync(world, null, "shell_exec");
        await ApproveAsync(world, approved.Id);
        using (var allowed = await broker.PostAsync(Chat, key, ChatWithTools("shell_exec")))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        await broker.ApprovalClient.DenyToolUseAsync(new DenyToolUseRequest { Id = approved.Id, Note = "withdrawn after incident" }, BrokerFixture.Bearer(reviewer));
        using var withdrawn = await broker.PostAsync(Chat, key, ChatWithTools("shell_exec"));
        Assert.Equal(HttpStatusCode.Forbidden, withdrawn.StatusCode);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'approval.denied' AND target_id = '{approved.Id}'"));
    }

    [Fact]
    public async Task Requester_CannotApproveItsOwnRequest_TwoPersonRule()
    {
        var (world, _) = await SetUpAsync();
        var approval = await RequestAsync(world, null, "shell_exec");
        // A security token that acts for the same owner as the requester is the same person.
        var sameOwner = await SecurityTokenAsync(world.Owner.Id);

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied,
            broker.ApprovalClient.ApproveToolUseAsync(new ApproveToolUseRequest { Id = approval.Id, Note = "lgtm" }, BrokerFixture.Bearer(sameOwner)), "Two-person rule");
        // The requester's own roles cannot approve at all; neither can admin alone.
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied,
            broker.ApprovalClient.ApproveToolUseAsync(new ApproveToolUseRequest { Id = approval.Id, Note = "lgtm" }, BrokerFixture.Bearer(world.OwnerToken)));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied,
            broker.ApprovalClient.ApproveToolUseAsync(new ApproveToolUseRequest { Id = approval.Id, Note = "lgtm" }, broker.AdminAuth));

        Assert.Equal(1, await broker.CountAsync("tool_approvals", $"id = '{approval.Id}' AND status = 'pending'"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'approval.approve.denied' AND target_id = '{approval.Id}'"));

        var approved = await broker.ApprovalClient.ApproveToolUseAsync(new ApproveToolUseRequest { Id = approval.Id, Note = "reviewed" }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(ApprovalStatus.Approved, approved.Status);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'approval.approved' AND target_id = '{approval.Id}'"));
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.ApprovalClient.ApproveToolUseAsync(new ApproveToolUseRequest { Id = approval.Id, Note = "again" }, BrokerFixture.Bearer(world.SecurityToken)), "is approved");
    }

    [Fact]
    public async Task ApprovalAndWithdrawal_ReachASecondReplica_WithinASecond()
    {
        var (world, key) = await SetUpAsync();
        var replicaGateway = BrokerFixture.FreeAddress();
        await using var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), replicaGateway);
        using (var warm = await PostToAsync(replicaGateway, key))
        {
            // The replica has now cached "no approval" for this workload and purpose.
            Assert.Equal(HttpStatusCode.Forbidden, warm.StatusCode);
        }

        var approval = await RequestAsync(world, null, "shell_exec");
        await ApproveAsync(world, approval.Id);
        Assert.Equal(HttpStatusCode.OK, await StatusWithinASecondAsync(replicaGateway, key, HttpStatusCode.OK));

        await broker.ApprovalClient.DenyToolUseAsync(new DenyToolUseRequest { Id = approval.Id, Note = "withdrawn" }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusWithinASecondAsync(replicaGateway, key, HttpStatusCode.Forbidden));
        await replica.StopAsync();
    }

    [Fact]
    public async Task AnthropicTools_AreGatedInTheAnthropicErrorShape()
    {
        var world = await broker.SeedGatewayAsync(p => p.HighRiskTools.Add("*delete*"), kind: "anthropic");
        var key = await broker.KeyAsync(world);
        var body = new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["max_tokens"] = 10,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello" }),
            ["tools"] = new JsonArray(new JsonObject { ["name"] = "bulk_delete", ["input_schema"] = new JsonObject { ["type"] = "object" } }),
        }.ToJsonString();

        using var response = await broker.PostAsync("/anthropic/v1/messages", key, body, anthropicHeader: true);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("permission_error", json["error"]!["type"]!.GetValue<string>());
        Assert.Contains("'bulk_delete'", json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_IsRefusedWithFieldViolations_AndWritesNothing()
    {
        var (world, _) = await SetUpAsync();
        var stranger = await broker.SeedGatewayAsync();
        var before = await broker.CountAsync("tool_approvals");
        var auditBefore = await broker.CountAsync("audit_events", "outcome = 'success'");
        var owner = BrokerFixture.Bearer(world.OwnerToken);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.ApprovalClient.RequestToolApprovalAsync(new RequestToolApprovalRequest
        {
            WorkloadId = world.Workload.Id, PurposeId = world.Purpose.Id, Tools = { "shell exec" }, Justification = "x",
        }, owner), "tools[0]");
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.ApprovalClient.RequestToolApprovalAsync(new RequestToolApprovalRequest
        {
            WorkloadId = world.Workload.Id, PurposeId = world.Purpose.Id, Tools = { "read_file" }, Justification = "x",
        }, owner), "is not a high-risk tool");
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.ApprovalClient.RequestToolApprovalAsync(new RequestToolApprovalRequest
        {
            WorkloadId = world.Workload.Id, PurposeId = world.Purpose.Id, Justification = string.Empty,
        }, owner), "justification");
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, broker.ApprovalClient.RequestToolApprovalAsync(new RequestToolApprovalRequest
        {
            WorkloadId = world.Workload.Id, PurposeId = world.Purpose.Id, Tools = { "shell_exec" }, Justification = "x",
        }, BrokerFixture.Bearer(stranger.OwnerToken)));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.Admin.UpdatePurposeAsync(new UpdatePurposeRequest
        {
            Id = world.Purpose.Id,
            Gateway = new GatewayPolicy { HighRiskTools = { "shell_*", "rm -rf" } },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "gateway" } },
        }, broker.AdminAuth), "gateway.high_risk_tools[1]");

        Assert.Equal(before, await broker.CountAsync("tool_approvals"));
        Assert.Equal(auditBefore, await broker.CountAsync("audit_events", "outcome = 'success'"));
        var purpose = (await broker.Admin.ListPurposesAsync(new ListPurposesRequest { OwnerId = world.Owner.Id }, broker.AdminAuth)).Purposes.Single();
        Assert.Equal(["shell_*", "fs_delete*"], purpose.Gateway.HighRiskTools);
    }

    private async Task<(World World, string Key)> SetUpAsync()
    {
        var world = await broker.SeedGatewayAsync(p =>
        {
            p.HighRiskTools.Add("shell_*");
            p.HighRiskTools.Add("fs_delete*");
        });
        return (world, await broker.KeyAsync(world));
    }

    private async Task<V1.ToolApproval> RequestAsync(World world, TimeSpan? ttl, params string[] tools)
    {
        var request = new RequestToolApprovalRequest { PurposeId = world.Purpose.Id, Tools = { tools }, Justification = "the agent runs deploy scripts" };
        if (ttl is { } t)
        {
            request.Ttl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(t);
        }

        // The workload asks for itself.
        var approval = await broker.ApprovalClient.RequestToolApprovalAsync(request, BrokerFixture.Bearer(world.WorkloadToken));
        Assert.Equal(ApprovalStatus.Pending, approval.Status);
        return approval;
    }

    private async Task ApproveAsync(World world, string id) =>
        await broker.ApprovalClient.ApproveToolUseAsync(new ApproveToolUseRequest { Id = id, Note = "reviewed" }, BrokerFixture.Bearer(world.SecurityToken));

    private async Task<string> SecurityTokenAsync(string? ownerId) =>
        (await broker.Admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Security, OwnerId = ownerId ?? string.Empty }, broker.AdminAuth)).Token;

    private async Task<HttpStatusCode> StatusWithinASecondAsync(string gateway, string key, HttpStatusCode wanted)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var response = await PostToAsync(gateway, key);
            status = response.StatusCode;
        }
        while (status != wanted && started.Elapsed < TimeSpan.FromSeconds(1));

        return status;
    }

    private async Task<HttpResponseMessage> PostToAsync(string gateway, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway + Chat)
        {
            Content = new StringContent(ChatWithTools("shell_exec"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return await broker.Http.SendAsync(request);
    }

    private static string ChatWithTools(params string[] names)
    {
        var tools = new JsonArray();
        foreach (var name in names)
        {
            tools.Add(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["parameters"] = new JsonObject { ["type"] = "object" } } });
        }

        return new JsonObject
        {
            ["model"] = "gpt-4o-mini",
            ["max_tokens"] = 10,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello" }),
            ["tools"] = tools,
        }.ToJsonString();
    }
}
