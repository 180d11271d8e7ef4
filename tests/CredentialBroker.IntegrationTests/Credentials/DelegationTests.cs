using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Credentials;

/// <summary>
/// Delegated credentials through the real API and gateway: a child is its own key, never wider,
/// longer-lived, deeper or richer than its parent; its spend counts against every ancestor's budget;
/// revoking a parent stops the whole subtree at once.
/// </summary>
public sealed class DelegationTests(GatewayFixture broker) : IClassFixture<GatewayFixture>
{
    private const string ChatPath = "/openai/v1/chat/completions";

    [Fact]
    public async Task Delegate_ChildIsItsOwnKey_InheritsOwnerPurposeProvider_AndWorksThroughTheGateway()
    {
        var world = await SeedAsync(depth: 2);
        var parent = await IssueAsync(world, TimeSpan.FromMinutes(10));

        var child = await DelegateAsync(world, parent.Credential.Id, r => r.Models.Add("gpt-4o-mini"));

        Assert.NotEqual(parent.Secret, child.Secret);
        var c = child.Credential;
        Assert.Equal(parent.Credential.Id, c.ParentId);
        Assert.Equal(parent.Credential.Id, c.RootId);
        Assert.Equal(1, c.Depth);
        Assert.Equal(parent.Credential.OwnerId, c.OwnerId);
        Assert.Equal(parent.Credential.PurposeId, c.PurposeId);
        Assert.Equal(parent.Credential.Provider, c.Provider);
        Assert.Equal(["gpt-4o-mini"], c.Models);
        Assert.True(c.ExpiresAt.ToDateTimeOffset() <= parent.Credential.ExpiresAt.ToDateTimeOffset());
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.delegated' AND target_id = '{c.Id}'"));

        using var ok = await broker.PostAsync(ChatPath, child.Secret, GatewayFixture.Chat());
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var narrower = await broker.PostAsync(ChatPath, child.Secret, GatewayFixture.Chat(model: "gpt-4.1"));
        Assert.Equal(HttpStatusCode.Forbidden, narrower.StatusCode);
        await broker.FlushUsageAsync();
        Assert.Equal(1, await broker.CountAsync("usage_events", $"credential_id = '{c.Id}'"));
        Assert.Equal(0, await broker.CountAsync("usage_events", $"credential_id = '{parent.Credential.Id}'"));
    }

    [Fact]
    public async Task Child_CannotExceedTheParent_AndARefusalWritesNothing()
    {
        var world = await SeedAsync(depth: 1, lifetimeBudgetMicroUsd: 1_000_000, endpoints: ["chat.completions", "embeddings"]);
        var parent = await broker.Credentials.IssueCredentialAsync(new IssueCredentialRequest
        {
            Purpose = world.Purpose.Name, Provider = world.Provider.Name, Models = { "gpt-4o-mini" }, Ttl = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
        }, BrokerFixture.Bearer(world.WorkloadToken));
        var child = await DelegateAsync(world, parent.Credential.Id, r => r.Endpoints.Add("chat.completions"));
        var stranger = await broker.SeedGatewayAsync();
        using (var outOfScope = await broker.PostAsync("/openai/v1/embeddings", child.Secret, new { model = "text-embedding-3-small", input = "x" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, outOfScope.StatusCode);
            Assert.Contains("is scoped to the endpoints chat.completions", (await GatewayFixture.ErrorAsync(outOfScope)).Message, StringComparison.Ordinal);
        }

        var before = await broker.SnapshotAsync();
        var id = parent.Credential.Id;

        await Refused(StatusCode.InvalidArgument, "not within the parent's models", r => { r.ParentId = id; r.Models.Add("gpt-4.1"); });
        await Refused(StatusCode.InvalidArgument, "not within the parent's models", r => { r.ParentId = id; r.Models.Add("gpt-4o*"); });
        await Refused(StatusCode.InvalidArgument, "may not outlive its parent", r => { r.ParentId = id; r.Ttl = Duration.FromTimeSpan(TimeSpan.FromMinutes(30)); });
        await Refused(StatusCode.FailedPrecondition, "more than is left of the parent", r =>
        {
            r.ParentId = id;
            r.Budgets.Add(new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 2_000_000 });
        });
        await Refused(StatusCode.PermissionDenied, "max_delegation_depth", r => r.ParentId = child.Credential.Id);
        await Refused(StatusCode.InvalidArgument, "not within the parent's endpoints", r => { r.ParentId = id; r.Endpoints.Add("responses"); });
        await Refused(StatusCode.PermissionDenied, "belongs to another owner", r => { r.ParentId = id; r.WorkloadIdentity = stranger.Workload.Identity; });
        await Refused(StatusCode.InvalidArgument, "budgets[0]: sets no ceiling", r => { r.ParentId = id; r.Budgets.Add(new Budget { Window = BudgetWindow.Day }); });
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied,
            broker.Credentials.DelegateCredentialAsync(new DelegateCredentialRequest { ParentId = id }, BrokerFixture.Bearer(stranger.WorkloadToken)), "belongs to another workload");

        Assert.Equal(before, await broker.SnapshotAsync());

        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = id, Reason = "done" }, BrokerFixture.Bearer(world.OwnerToken));
        await Refused(StatusCode.FailedPrecondition, "is revoked", r => r.ParentId = id);

        async Task Refused(StatusCode code, string message, Action<DelegateCredentialRequest> shape)
        {
            var request = new DelegateCredentialRequest();
            shape(request);
            await RpcAssert.FailsAsync(code, broker.Credentials.DelegateCredentialAsync(request, BrokerFixture.Bearer(world.WorkloadToken)), message);
        }
    }

    [Fact]
    public async Task Delegate_ToASubAgentOfTheSameOwner_GivesItItsOwnIdentity()
    {
        var world = await SeedAsync(depth: 1);
        var subAgent = await broker.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = $"spiffe://test.local/sub-{Guid.NewGuid():N}", OwnerId = world.Owner.Id }, broker.AdminAuth);
        var parent = await IssueAsync(world, TimeSpan.FromMinutes(10));

        // The owner delegates on the workload's behalf.
        var child = await broker.Credentials.DelegateCredentialAsync(
            new DelegateCredentialRequest { ParentId = parent.Credential.Id, WorkloadIdentity = subAgent.Identity, Description = "summariser" }, BrokerFixture.Bearer(world.OwnerToken));

        Assert.Equal(subAgent.Id, child.Credential.WorkloadId);
        Assert.Equal("summariser", child.Credential.Description);
        using var ok = await broker.PostAsync(ChatPath, child.Secret, GatewayFixture.Chat());
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task RevokingTheParent_RevokesGrandchildrenAtOnce_OnEveryReplica()
    {
        var world = await SeedAsync(depth: 2);
        var parent = await IssueAsync(world, TimeSpan.FromMinutes(10));
        var child = await DelegateAsync(world, parent.Credential.Id);
        var grandchild = await DelegateAsync(world, child.Credential.Id);
        var sibling = await DelegateAsync(world, parent.Credential.Id);
        Assert.Equal(2, grandchild.Credential.Depth);
        Assert.Equal(parent.Credential.Id, grandchild.Credential.RootId);
        var replicaGateway = BrokerFixture.FreeAddress();
        await using var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), replicaGateway);
        using (var warm = await PostToAsync(replicaGateway, grandchild.Secret))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        using (var warmHere = await broker.PostAsync(ChatPath, grandchild.Secret, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, warmHere.StatusCode);
        }

        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = parent.Credential.Id, Reason = "agent compromised" }, BrokerFixture.Bearer(world.OwnerToken));

        var ids = string.Join(',', new[] { child, grandchild, sibling }.Select(c => $"'{c.Credential.Id}'"));
        Assert.Equal(3, await broker.CountAsync("credentials", $"id IN ({ids}) AND status = 'revoked' AND revocation_reason LIKE 'parent credential%agent compromised'"));
        Assert.Equal(3, await broker.CountAsync("audit_events", $"action = 'credential.revoked' AND target_id IN ({ids}) AND metadata->>'cascade_from' = '{parent.Credential.Id}'"));
        using (var here = await broker.PostAsync(ChatPath, grandchild.Secret, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, here.StatusCode);
            Assert.Equal("key_revoked", (await GatewayFixture.ErrorAsync(here)).Code);
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var response = await PostToAsync(replicaGateway, grandchild.Secret);
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.OK && started.Elapsed < TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        var shown = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = grandchild.Credential.Id }, BrokerFixture.Bearer(world.OwnerToken));
        Assert.Equal(CredentialStatus.Revoked, shown.Credential.Status);
        await replica.StopAsync();
    }

    [Fact]
    public async Task ChildSpend_CountsAgainstTheParentsBudget_SoTogetherTheyNeverExceedIt()
    {
        // Each call costs 24 micro-USD (4 input tokens + 10 output tokens at 2); the purpose gives every credential 100.
        var world = await SeedAsync(depth: 1, lifetimeBudgetMicroUsd: 100);
        var parent = await IssueAsync(world, TimeSpan.FromMinutes(10));
        using (var first = await broker.PostAsync(ChatPath, parent.Secret, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var child = await DelegateAsync(world, parent.Credential.Id);
        var childCalls = 0;
        while (true)
        {
            using var response = await broker.PostAsync(ChatPath, child.Secret, GatewayFixture.Chat());
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                var (code, message) = await GatewayFixture.ErrorAsync(response);
                Assert.Equal("budget_exceeded", code);
                Assert.Contains($"the parent credential {parent.Credential.Prefix}'s lifetime budget", message, StringComparison.Ordinal);
                break;
            }

            childCalls++;
            Assert.True(childCalls < 10, "the child kept spending past the parent's budget");
        }

        await broker.FlushUsageAsync();
        Assert.True(childCalls >= 1);
        Assert.Equal(24L * (1 + childCalls), await SpentAsync("credential", parent.Credential.Id));
        Assert.Equal(24L * childCalls, await SpentAsync("credential", child.Credential.Id));
        Assert.True(24L * (1 + childCalls) <= 100);
        using var parentRefused = await broker.PostAsync(ChatPath, parent.Secret, GatewayFixture.Chat());
        Assert.Equal(HttpStatusCode.TooManyRequests, parentRefused.StatusCode);
    }

    [Fact]
    public async Task ChildOwnBudget_IsEnforced_AndUsageRollsUpToTheParent()
    {
        var world = await SeedAsync(depth: 2);
        var parent = await IssueAsync(world, TimeSpan.FromMinutes(10));
        var child = await DelegateAsync(world, parent.Credential.Id, r => r.Budgets.Add(new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 60 }));
        var grandchild = await DelegateAsync(world, child.Credential.Id);
        foreach (var key in new[] { parent.Secret, child.Secret, grandchild.Secret })
        {
            using var ok = await broker.PostAsync(ChatPath, key, GatewayFixture.Chat());
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // The child's 60 are shared with its grandchild: 48 spent, the next call's worst case does not fit.
        using (var refused = await broker.PostAsync(ChatPath, grandchild.Secret, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains($"the parent credential {child.Credential.Prefix}'s lifetime budget of $0.00006", (await GatewayFixture.ErrorAsync(refused)).Message, StringComparison.Ordinal);
        }

        await broker.FlushUsageAsync();
        var auth = BrokerFixture.Bearer(world.WorkloadToken);
        var alone = await broker.UsageClient.GetUsageAsync(new GetUsageRequest { CredentialId = parent.Credential.Id, Window = BudgetWindow.Lifetime }, auth);
        var rolled = await broker.UsageClient.GetUsageAsync(new GetUsageRequest { CredentialId = parent.Credential.Id, Window = BudgetWindow.Lifetime, IncludeDescendants = true }, auth);
        var childTree = await broker.UsageClient.GetUsageAsync(new GetUsageRequest { CredentialId = child.Credential.Id, Window = BudgetWindow.Lifetime, IncludeDescendants = true }, auth);

        Assert.Equal(1, alone.Totals.Requests);
        Assert.Equal(24, alone.Totals.CostMicroUsd);
        Assert.Equal(3, rolled.Totals.Requests);
        Assert.Equal(72, rolled.Totals.CostMicroUsd);
        Assert.Equal(2, childTree.Totals.Requests);
        var own = Assert.Single(childTree.Budgets, b => b.Scope == "delegation");
        Assert.Equal(60, own.MaxMicroUsd);
        Assert.Equal(48, own.SpentMicroUsd);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            broker.UsageClient.GetUsageAsync(new GetUsageRequest { OwnerId = world.Owner.Id, IncludeDescendants = true }, BrokerFixture.Bearer(world.OwnerToken)), "include_descendants");
    }

    [Fact]
    public async Task RenewingAChild_NeverExtendsItPastItsParent()
    {
        var world = await SeedAsync(depth: 1);
        var parent = await IssueAsync(world, TimeSpan.FromMinutes(10));
        var child = await DelegateAsync(world, parent.Credential.Id, r => r.Ttl = Duration.FromTimeSpan(TimeSpan.FromMinutes(2)));
        broker.Time.Advance(TimeSpan.FromMinutes(1));

        var renewed = await broker.Credentials.RenewCredentialAsync(
            new RenewCredentialRequest { Id = child.Credential.Id, Ttl = Duration.FromTimeSpan(TimeSpan.FromHours(1)) }, BrokerFixture.Bearer(world.WorkloadToken));

        Assert.Equal(parent.Credential.ExpiresAt, renewed.Credential.ExpiresAt);
        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = parent.Credential.Id, Reason = "done" }, BrokerFixture.Bearer(world.WorkloadToken));
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = child.Credential.Id }, BrokerFixture.Bearer(world.WorkloadToken)), "revoked");
    }

    private Task<World> SeedAsync(int depth, long lifetimeBudgetMicroUsd = 0, string[]? endpoints = null) =>
        broker.SeedGatewayAsync(p =>
        {
            p.MaxDelegationDepth = depth;
            p.AllowedEndpoints.Add(endpoints ?? []);
            if (lifetimeBudgetMicroUsd > 0)
            {
                p.CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = lifetimeBudgetMicroUsd } } };
            }
        });

    private Task<IssueCredentialResponse> IssueAsync(World world, TimeSpan ttl) => broker.IssueAsync(world, ttl);

    private async Task<DelegateCredentialResponse> DelegateAsync(World world, string parentId, Action<DelegateCredentialRequest>? shape = null)
    {
        var request = new DelegateCredentialRequest { ParentId = parentId };
        shape?.Invoke(request);
        return await broker.Credentials.DelegateCredentialAsync(request, BrokerFixture.Bearer(world.WorkloadToken));
    }

    private async Task<long> SpentAsync(string scope, string id)
    {
        await using var connection = new Npgsql.NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT coalesce(sum(spent_micro_usd), 0)::bigint FROM budget_counters WHERE scope = $1 AND scope_id = $2", connection);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = Guid.Parse(id) });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<HttpResponseMessage> PostToAsync(string gateway, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway + ChatPath)
        {
            Content = new StringContent((string)GatewayFixture.Chat(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return await broker.Http.SendAsync(request);
    }
}
