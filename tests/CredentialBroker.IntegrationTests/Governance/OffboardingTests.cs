using System.Diagnostics;
using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;
using Xunit.Abstractions;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>DeactivateOwner, RetirePurpose and DeregisterWorkload: one watermark path, enforced everywhere at once.</summary>
public sealed class OffboardingTests(GatewayFixture broker, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task RetirePurpose_KeyRefusedOnSecondReplicaAtOnce_ThenNoIssueRenewOrGrant()
    {
        var (world, issued) = await OffboardOnReplicaAsync("retire purpose", (world, _) =>
            broker.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = world.Purpose.Id, Reason = "pilot ended" }, broker.AdminAuth).ResponseAsync);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, () => broker.IssueAsync(world), "is retired");
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.WorkloadToken)), "revoked");
        var other = await broker.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = $"spiffe://test.local/other-{Guid.NewGuid():N}", OwnerId = world.Owner.Id }, broker.AdminAuth);
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = other.Id, PurposeId = world.Purpose.Id }, broker.AdminAuth), "is retired");

        var credential = await ReadAsync(world, issued);
        Assert.Equal(CredentialStatus.Revoked, credential.Status);
        Assert.Equal("purpose retired: pilot ended", credential.RevocationReason);
        var listed = await broker.Admin.ListPurposesAsync(new ListPurposesRequest { OwnerId = world.Owner.Id }, broker.AdminAuth);
        var purpose = Assert.Single(listed.Purposes);
        Assert.NotNull(purpose.RetiredAt);
        Assert.Equal("pilot ended", purpose.RetirementReason);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'purpose.retired' AND target_id = '{world.Purpose.Id}'"));
    }

    [Fact]
    public async Task DeregisterWorkload_KeyRefusedOnSecondReplicaAtOnce_ThenNoIssueOrRenew()
    {
        var (world, issued) = await OffboardOnReplicaAsync("deregister workload", (world, _) =>
            broker.Admin.DeregisterWorkloadAsync(new DeregisterWorkloadRequest { Id = world.Workload.Id, Reason = "decommissioned" }, broker.AdminAuth).ResponseAsync);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, () => broker.IssueAsync(world), "deregistered");
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = world.Workload.Id, PurposeId = world.Purpose.Id }, broker.AdminAuth), "deregistered");
        Assert.Equal("workload deregistered: decommissioned", (await ReadAsync(world, issued)).RevocationReason);
        var listed = await broker.Admin.ListWorkloadsAsync(new ListWorkloadsRequest { OwnerId = world.Owner.Id }, broker.AdminAuth);
        var workload = Assert.Single(listed.Workloads);
        Assert.NotNull(workload.DeregisteredAt);
        Assert.Equal("decommissioned", workload.DeregistrationReason);
    }

    [Fact]
    public async Task DeactivateOwner_KeyRefusedOnSecondReplicaAtOnce_ThroughTheSamePath()
    {
        var (world, issued) = await OffboardOnReplicaAsync("deactivate owner", (world, _) =>
            broker.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = world.Owner.Id, Reason = "team dissolved" }, broker.AdminAuth).ResponseAsync);

        Assert.Equal("owner deactivated: team dissolved", (await ReadAsync(world, issued)).RevocationReason);
        Assert.Equal(1, await broker.CountAsync("revocation_watermarks", $"owner_id = '{world.Owner.Id}'"));
    }

    [Fact]
    public async Task OffboardingTwice_WritesNothingTheSecondTime()
    {
        var world = await broker.SeedGatewayAsync();
        await broker.IssueAsync(world);
        var first = await broker.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = world.Purpose.Id, Reason = "done" }, broker.AdminAuth);
        await broker.Admin.DeregisterWorkloadAsync(new DeregisterWorkloadRequest { Id = world.Workload.Id, Reason = "gone" }, broker.AdminAuth);
        await broker.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = world.Owner.Id, Reason = "left" }, broker.AdminAuth);
        var before = await SettledSnapshotAsync();

        var again = await broker.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = world.Purpose.Id, Reason = "again" }, broker.AdminAuth);
        await broker.Admin.DeregisterWorkloadAsync(new DeregisterWorkloadRequest { Id = world.Workload.Id, Reason = "again" }, broker.AdminAuth);
        await broker.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = world.Owner.Id, Reason = "again" }, broker.AdminAuth);

        Assert.Equal(before, await broker.SnapshotAsync());
        Assert.Equal(first.RetiredAt, again.RetiredAt);
        Assert.Equal("done", again.RetirementReason);
    }

    [Fact]
    public async Task ConcurrentRetirements_WriteOneWatermark()
    {
        var world = await broker.SeedGatewayAsync();
        var calls = Enumerable.Range(0, 8).Select(i =>
            broker.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = world.Purpose.Id, Reason = $"race {i}" }, broker.AdminAuth).ResponseAsync);

        await Task.WhenAll(calls);

        Assert.Equal(1, await broker.CountAsync("revocation_watermarks", $"purpose_id = '{world.Purpose.Id}'"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'purpose.retired' AND target_id = '{world.Purpose.Id}'"));
    }

    [Fact]
    public async Task BadIds_NotFoundOrInvalidArgument_WriteNothing()
    {
        await broker.SeedGatewayAsync();
        var before = await SettledSnapshotAsync();
        var unknown = Guid.NewGuid().ToString();

        await RpcAssert.FailsAsync(StatusCode.NotFound, broker.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = unknown, Reason = "x" }, broker.AdminAuth), unknown);
        await RpcAssert.FailsAsync(StatusCode.NotFound, broker.Admin.DeregisterWorkloadAsync(new DeregisterWorkloadRequest { Id = unknown, Reason = "x" }, broker.AdminAuth), unknown);
        await RpcAssert.FailsAsync(StatusCode.NotFound, broker.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = unknown, Reason = "x" }, broker.AdminAuth), unknown);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = "purpose-1", Reason = "x" }, broker.AdminAuth), "id");
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.Admin.DeregisterWorkloadAsync(new DeregisterWorkloadRequest { Id = unknown }, broker.AdminAuth), "reason");
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.Admin.RetirePurposeAsync(new RetirePurposeRequest(), broker.AdminAuth), "id");

        Assert.Equal(before, await broker.SnapshotAsync());
    }

    [Fact]
    public async Task RetirePurpose_AsSecurity_PermissionDenied()
    {
        var world = await broker.SeedGatewayAsync();

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied,
            broker.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = world.Purpose.Id, Reason = "x" }, BrokerFixture.Bearer(world.SecurityToken)));

        Assert.Equal(0, await broker.CountAsync("purposes", $"id = '{world.Purpose.Id}' AND retired_at IS NOT NULL"));
    }

    /// <summary>A key in use on a second replica (its cache warm) stops working there right after <paramref name="offboard"/> on the first.</summary>
    private async Task<(World World, IssueCredentialResponse Issued)> OffboardOnReplicaAsync(string what, Func<World, IssueCredentialResponse, Task> offboard)
    {
        var world = await broker.SeedGatewayAsync();
        var issued = await broker.IssueAsync(world);
        var replicaGateway = BrokerFixture.FreeAddress();
        await using var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), replicaGateway);
        using (var warm = await PostAsync(replicaGateway, issued.Secret))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var clock = Stopwatch.StartNew();
        await offboard(world, issued);
        HttpStatusCode status;
        do
        {
            using var response = await PostAsync(replicaGateway, issued.Secret);
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(5));

        output.WriteLine($"{what}: key refused on the second replica {clock.Elapsed.TotalMilliseconds:0} ms after the RPC was sent");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
        await replica.StopAsync();
        return (world, issued);
    }

    /// <summary>The table snapshot once the background marker has finished (it writes rows and an audit event of its own).</summary>
    private async Task<string> SettledSnapshotAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await broker.CountAsync("revocation_watermarks", "marking_completed_at IS NULL") > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return await broker.SnapshotAsync();
    }

    private async Task<Credential> ReadAsync(World world, IssueCredentialResponse issued) =>
        (await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.SecurityToken))).Credential;

    private async Task<HttpResponseMessage> PostAsync(string gateway, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway + "/openai/v1/chat/completions")
        {
            Content = new StringContent((string)GatewayFixture.Chat(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", key);
        return await broker.Http.SendAsync(request);
    }
}
