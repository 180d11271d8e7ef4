using System.Diagnostics;
using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Xunit.Abstractions;

namespace CredentialBroker.IntegrationTests.Gateway;

/// <summary>Budgets under concurrency, and revocation reaching another replica.</summary>
public sealed class GatewayConcurrencyTests(GatewayFixture broker, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task FiveHundredConcurrentCalls_NeverOvershootTheBudget_AndSettleExactly()
    {
        // Worst case per call: ~9 estimated input tokens × 1 + 100 output tokens × 2 ≈ 209 micro-USD;
        // actual: 4 × 1 + 100 × 2 = 204. The budget fits ten worst cases.
        var world = await broker.SeedGatewayAsync(p => p.PurposeLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Month, MaxMicroUsd = 2_100 } } });
        var key = await broker.KeyAsync(world);

        using var start = new SemaphoreSlim(0);
        var calls = Enumerable.Range(0, 500).Select(async _ =>
        {
            await start.WaitAsync();
            using var response = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat(maxTokens: 100));
            return response.StatusCode;
        }).ToList();
        start.Release(500);
        var statuses = await Task.WhenAll(calls);
        await broker.FlushUsageAsync();

        var succeeded = statuses.Count(s => s == HttpStatusCode.OK);
        var refused = statuses.Count(s => s == HttpStatusCode.TooManyRequests);
        output.WriteLine($"500 concurrent calls: {succeeded} forwarded, {refused} refused by the budget");
        Assert.Equal(500, succeeded + refused);
        Assert.InRange(succeeded, 10, 10);

        var usage = await broker.UsageClient.GetUsageAsync(new GetUsageRequest { PurposeId = world.Purpose.Id, Window = BudgetWindow.Month }, BrokerFixture.Bearer(world.SecurityToken));
        var budget = Assert.Single(usage.Budgets);
        Assert.Equal(succeeded * 204, usage.Totals.CostMicroUsd);
        Assert.Equal(usage.Totals.CostMicroUsd, budget.SpentMicroUsd);
        Assert.Equal(0, budget.ReservedMicroUsd);
        Assert.True(budget.SpentMicroUsd <= budget.MaxMicroUsd, $"spent {budget.SpentMicroUsd} > budget {budget.MaxMicroUsd}");
        Assert.Equal(2_100 - usage.Totals.CostMicroUsd, budget.MaxMicroUsd - budget.SpentMicroUsd - budget.ReservedMicroUsd);
    }

    [Fact]
    public Task Revocation_ReachesASecondReplicaWithinOneSecond() =>
        AssertReachesSecondReplicaWithinOneSecondAsync("revocation", (world, issued) =>
            broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id, Reason = "leaked" }, BrokerFixture.Bearer(world.SecurityToken)).ResponseAsync);

    [Fact]
    public Task MassRevocation_ReachesASecondReplicaWithinOneSecond() =>
        AssertReachesSecondReplicaWithinOneSecondAsync("mass revocation", (world, _) =>
            broker.Revocations.RevokeMatchingAsync(new RevokeMatchingRequest { Selector = new Selector { OwnerId = world.Owner.Id }, Reason = "incident" }, BrokerFixture.Bearer(world.SecurityToken)).ResponseAsync);

    /// <summary>A key in use on a second replica (its cache warm) stops working there within a second of <paramref name="revoke"/> on the first.</summary>
    private async Task AssertReachesSecondReplicaWithinOneSecondAsync(string what, Func<World, IssueCredentialResponse, Task> revoke)
    {
        var world = await broker.SeedGatewayAsync();
        var issued = await broker.IssueAsync(world);
        var replicaGateway = BrokerFixture.FreeAddress();
        await using var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), replicaGateway);
        using (var warm = await Post(replicaGateway, issued.Secret))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var revoked = Stopwatch.StartNew();
        await revoke(world, issued);
        HttpStatusCode status;
        do
        {
            using var response = await Post(replicaGateway, issued.Secret);
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.OK && revoked.Elapsed < TimeSpan.FromSeconds(5));

        output.WriteLine($"{what} enforced on the second replica after {revoked.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(1), $"took {revoked.Elapsed.TotalMilliseconds:0} ms");
        await replica.StopAsync();
    }

    private async Task<HttpResponseMessage> Post(string gateway, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway + "/openai/v1/chat/completions")
        {
            Content = new StringContent((string)GatewayFixture.Chat(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", key);
        return await broker.Http.SendAsync(request);
    }
}
