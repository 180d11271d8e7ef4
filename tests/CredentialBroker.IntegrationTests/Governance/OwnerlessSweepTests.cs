using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Governance;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>A gateway broker with small batches, for the ownerless sweep.</summary>
public sealed class SweepBrokerFixture : GatewayFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:BatchSize"] = "10",
    };
}

public sealed class OwnerlessSweepTests(SweepBrokerFixture broker) : IClassFixture<SweepBrokerFixture>
{
    [Fact]
    public async Task Sweep_CredentialLeftActiveUnderRetiredPurpose_RevokedAuditedAndEvictedFromTheGateway()
    {
        var world = await broker.SeedGatewayAsync();
        var template = await broker.IssueAsync(world);
        await broker.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = world.Purpose.Id, Reason = "ended" }, broker.AdminAuth);
        broker.Time.Advance(TimeSpan.FromSeconds(1));
        // Issued after the watermark (a race): the watermark does not cover it, so only the sweep can.
        var (id, secret) = await LeftoverCredential.InsertAsync(broker, template.Credential.Id, broker.Time.GetUtcNow());
        using (var before = await broker.PostAsync("/openai/v1/chat/completions", secret, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await broker.Services.GetRequiredService<OwnerlessSweeper>().SweepAsync(CancellationToken.None);

        using (var after = await broker.PostAsync("/openai/v1/chat/completions", secret, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }

        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{id}' AND status = 'revoked' AND revocation_reason = 'purpose retired (caught by the ownerless sweep)'"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.revoked' AND actor = '{OwnerlessSweeper.Actor}' AND target_id = '{id}'"));
        // The credential the watermark covers is left to the watermark (no second revocation, no sweep audit event).
        Assert.Equal(0, await broker.CountAsync("audit_events", $"actor = '{OwnerlessSweeper.Actor}' AND target_id = '{template.Credential.Id}'"));
    }

    [Fact]
    public async Task Sweep_CoversDeactivatedOwnersAndDeregisteredWorkloads_NotActiveOnes()
    {
        var ownerGone = await broker.SeedGatewayAsync();
        var workloadGone = await broker.SeedGatewayAsync();
        var healthy = await broker.SeedGatewayAsync();
        var templates = new[] { await broker.IssueAsync(ownerGone), await broker.IssueAsync(workloadGone), await broker.IssueAsync(healthy) };
        await broker.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = ownerGone.Owner.Id, Reason = "left" }, broker.AdminAuth);
        await broker.Admin.DeregisterWorkloadAsync(new DeregisterWorkloadRequest { Id = workloadGone.Workload.Id, Reason = "gone" }, broker.AdminAuth);
        broker.Time.Advance(TimeSpan.FromSeconds(1));
        var leftovers = new List<string>();
        foreach (var template in templates)
        {
            leftovers.Add((await LeftoverCredential.InsertAsync(broker, template.Credential.Id, broker.Time.GetUtcNow())).Id);
        }

        await broker.Services.GetRequiredService<OwnerlessSweeper>().SweepAsync(CancellationToken.None);

        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{leftovers[0]}' AND status = 'revoked' AND revocation_reason LIKE 'owner deactivated%'"));
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{leftovers[1]}' AND status = 'revoked' AND revocation_reason LIKE 'workload deregistered%'"));
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{leftovers[2]}' AND status = 'active'"));
    }

    [Fact]
    public async Task Renew_CredentialLeftActiveUnderRetiredPurposeOrDeregisteredWorkload_FailedPrecondition()
    {
        var retired = await broker.SeedGatewayAsync();
        var deregistered = await broker.SeedGatewayAsync();
        var first = await broker.IssueAsync(retired);
        var second = await broker.IssueAsync(deregistered);
        await broker.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = retired.Purpose.Id, Reason = "ended" }, broker.AdminAuth);
        await broker.Admin.DeregisterWorkloadAsync(new DeregisterWorkloadRequest { Id = deregistered.Workload.Id, Reason = "gone" }, broker.AdminAuth);
        broker.Time.Advance(TimeSpan.FromSeconds(1));
        var (underRetired, _) = await LeftoverCredential.InsertAsync(broker, first.Credential.Id, broker.Time.GetUtcNow());
        var (underDeregistered, _) = await LeftoverCredential.InsertAsync(broker, second.Credential.Id, broker.Time.GetUtcNow());

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = underRetired }, BrokerFixture.Bearer(retired.OwnerToken)), "is retired");
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = underDeregistered }, BrokerFixture.Bearer(deregistered.OwnerToken)), "deregistered workload");
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Workload, WorkloadId = deregistered.Workload.Id }, broker.AdminAuth), "deregistered");
        Assert.Equal(2, await broker.CountAsync("audit_events", $"action = 'credential.renew.denied' AND target_id IN ('{underRetired}', '{underDeregistered}')"));
    }

    [Fact]
    public async Task TwoReplicasSweepingAtOnce_RevokeEachCredentialOnce()
    {
        var world = await broker.SeedGatewayAsync();
        var template = await broker.IssueAsync(world);
        await broker.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = world.Owner.Id, Reason = "left" }, broker.AdminAuth);
        broker.Time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 45; i++)
        {
            await LeftoverCredential.InsertAsync(broker, template.Credential.Id, broker.Time.GetUtcNow());
        }

        await using var replica = await broker.StartReplicaAsync(BrokerFixture.FreeAddress(), BrokerFixture.FreeAddress());
        var sweepers = new[] { broker.Services.GetRequiredService<OwnerlessSweeper>(), replica.Services.GetRequiredService<OwnerlessSweeper>() };
        using var start = new SemaphoreSlim(0);
        var runs = sweepers.SelectMany(s => Enumerable.Range(0, 2).Select(async _ =>
        {
            await start.WaitAsync();
            return await s.SweepAsync(CancellationToken.None);
        })).ToList();
        start.Release(runs.Count);
        var revoked = await Task.WhenAll(runs);

        var leftovers = $"owner_id = '{world.Owner.Id}' AND id <> '{template.Credential.Id}'";
        Assert.Equal(45, await broker.CountAsync("credentials", leftovers + " AND status = 'revoked'"));
        Assert.InRange(revoked.Sum(), 0, 45);
        Assert.Equal(45, await broker.CountAsync("audit_events", $"action = 'credential.revoked' AND actor = '{OwnerlessSweeper.Actor}' AND target_id IN (SELECT id::text FROM credentials WHERE {leftovers})"));
        Assert.Equal(0, await broker.CountAsync(
            $"(SELECT target_id FROM audit_events WHERE actor = '{OwnerlessSweeper.Actor}' GROUP BY target_id HAVING count(*) > 1) twice"));
        await replica.StopAsync();
    }

    [Fact]
    public async Task QuartzJob_OnClusteredStore_IsScheduled()
    {
        await broker.SeedGatewayAsync();

        Assert.Equal(1, await broker.CountAsync("qrtz_triggers", $"trigger_name = '{OwnerlessSweepJob.Name}'"));
        Assert.Equal(1, await broker.CountAsync("qrtz_triggers", $"trigger_name = '{StaleSweepJob.Name}'"));
        Assert.Equal(1, await broker.CountAsync("qrtz_triggers", $"trigger_name = '{OwnerDirectoryJob.Name}'"));
    }
}
