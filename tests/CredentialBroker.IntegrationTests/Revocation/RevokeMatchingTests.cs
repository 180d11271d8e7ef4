using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Revocation;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Revocation;

public sealed class RevokeMatchingTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task RevokeMatching_ByOwner_IsEnforcedAtOnceAndRowsAreMarkedLater()
    {
        var target = await broker.SeedAsync();
        var bystander = await broker.SeedAsync();
        var revokedIds = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            revokedIds.Add((await broker.IssueAsync(target)).Credential.Id);
        }

        var survivor = (await broker.IssueAsync(bystander)).Credential.Id;
        var security = BrokerFixture.Bearer(target.SecurityToken);

        var response = await broker.Revocations.RevokeMatchingAsync(new RevokeMatchingRequest
        {
            Selector = new Selector { OwnerId = target.Owner.Id },
            Reason = "incident 42",
        }, security);

        Assert.Equal(5, response.MatchedCount);
        // Enforced immediately through the watermark, whether or not the rows were marked yet.
        foreach (var id in revokedIds)
        {
            var c = (await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = id }, security)).Credential;
            Assert.Equal(CredentialStatus.Revoked, c.Status);
            Assert.Equal("incident 42", c.RevocationReason);
            Assert.Equal(response.RevocationId, c.RevocationId);
        }

        Assert.Equal(CredentialStatus.Active, (await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = survivor }, security)).Credential.Status);
        await RpcAssert.FailsAsync(Grpc.Core.StatusCode.FailedPrecondition,
            broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = revokedIds[0] }, BrokerFixture.Bearer(target.WorkloadToken)), "incident 42");

        await WaitForMarkingAsync(response.RevocationId);

        Assert.Equal(5, await broker.CountAsync("credentials", $"revocation_id = '{response.RevocationId}' AND status = 'revoked'"));
        var progress = await broker.Revocations.GetRevocationAsync(new GetRevocationRequest { Id = response.RevocationId }, security);
        Assert.Equal(5, progress.MarkedCount);
        Assert.NotNull(progress.MarkingCompletedAt);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credentials.revoked_matching' AND target_id = '{response.RevocationId}'"));
    }

    [Fact]
    public async Task RevokeMatching_DryRun_CountsAndChangesNothing()
    {
        var world = await broker.SeedAsync();
        await broker.IssueAsync(world);
        await broker.IssueAsync(world);
        var before = await broker.SnapshotAsync();

        var response = await broker.Revocations.RevokeMatchingAsync(new RevokeMatchingRequest
        {
            Selector = new Selector { PurposeId = world.Purpose.Id },
            Reason = "what if",
            DryRun = true,
        }, BrokerFixture.Bearer(world.SecurityToken));

        Assert.Equal(2, response.MatchedCount);
        Assert.True(response.DryRun);
        Assert.Equal(string.Empty, response.RevocationId);
        Assert.Equal(before, await broker.SnapshotAsync());
    }

    [Fact]
    public async Task RevokeMatching_ByLabelsAndIssuedBefore_RevokesOnlyMatches()
    {
        var world = await broker.SeedAsync();
        var old = (await broker.IssueAsync(world, labels: new Dictionary<string, string> { ["env"] = "prod", ["app"] = "chat" })).Credential.Id;
        var otherLabel = (await broker.IssueAsync(world, labels: new Dictionary<string, string> { ["env"] = "dev" })).Credential.Id;
        broker.Time.Advance(TimeSpan.FromMinutes(1));
        var cutoff = broker.Time.GetUtcNow();
        broker.Time.Advance(TimeSpan.FromMinutes(1));
        var newer = (await broker.IssueAsync(world, labels: new Dictionary<string, string> { ["env"] = "prod" })).Credential.Id;
        var security = BrokerFixture.Bearer(world.SecurityToken);

        var response = await broker.Revocations.RevokeMatchingAsync(new RevokeMatchingRequest
        {
            Selector = new Selector { Labels = { ["env"] = "prod" }, IssuedBefore = Timestamp.FromDateTimeOffset(cutoff), OwnerId = world.Owner.Id },
            Reason = "prod keys leaked before cutoff",
        }, security);

        async Task<CredentialStatus> Status(string id) => (await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = id }, security)).Credential.Status;
        Assert.Equal(1, response.MatchedCount);
        Assert.Equal(CredentialStatus.Revoked, await Status(old));
        Assert.Equal(CredentialStatus.Active, await Status(otherLabel));
        Assert.Equal(CredentialStatus.Active, await Status(newer));
    }

    [Fact]
    public async Task RevokeMatching_CredentialsIssuedAfterwards_AreNotAffected()
    {
        var world = await broker.SeedAsync();
        await broker.IssueAsync(world);
        await broker.Revocations.RevokeMatchingAsync(new RevokeMatchingRequest { Selector = new Selector { WorkloadId = world.Workload.Id }, Reason = "rotate all" }, BrokerFixture.Bearer(world.SecurityToken));
        broker.Time.Advance(TimeSpan.FromSeconds(1));

        var fresh = await broker.IssueAsync(world);

        var read = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = fresh.Credential.Id }, BrokerFixture.Bearer(world.WorkloadToken));
        Assert.Equal(CredentialStatus.Active, read.Credential.Status);
    }

    [Fact]
    public async Task Marker_AfterInterruption_ResumesAndCompletes()
    {
        var world = await broker.SeedAsync();
        for (var i = 0; i < 30; i++)
        {
            await broker.IssueAsync(world);
        }

        var response = await broker.Revocations.RevokeMatchingAsync(new RevokeMatchingRequest { Selector = new Selector { OwnerId = world.Owner.Id }, Reason = "resume test" }, BrokerFixture.Bearer(world.SecurityToken));
        await WaitForMarkingAsync(response.RevocationId);
        // Put the rows back into the state a crash after the first 10 would leave: 20 rows unmarked,
        // progress 10, watermark not completed. (The background marker may race us; either way the
        // end state must be the same.)
        await broker.ExecuteAsync($"""
            WITH part AS (SELECT id FROM credentials WHERE revocation_id = '{response.RevocationId}' ORDER BY id LIMIT 20)
            UPDATE credentials SET status = 'active', revocation_id = NULL, revoked_at = NULL, revocation_reason = NULL
            WHERE id IN (SELECT id FROM part);
            UPDATE revocation_watermarks SET marked_count = 10, marking_completed_at = NULL WHERE id = '{response.RevocationId}'
            """);

        await WaitForMarkingAsync(response.RevocationId);

        Assert.Equal(0, await broker.CountAsync("credentials", $"owner_id = '{world.Owner.Id}' AND status = 'active'"));
        Assert.Equal(1, await broker.CountAsync("revocation_watermarks", $"id = '{response.RevocationId}' AND marked_count = 30 AND marking_completed_at IS NOT NULL"));
    }

    /// <summary>Runs the marker until the revocation is completed (another marker run may hold the lock for a moment).</summary>
    private async Task WaitForMarkingAsync(string revocationId)
    {
        var marker = broker.Services.GetRequiredService<RevocationMarker>();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await marker.MarkPendingAsync(CancellationToken.None);
            if (await broker.CountAsync("revocation_watermarks", $"id = '{revocationId}' AND marking_completed_at IS NOT NULL") == 1)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Revocation {revocationId} was not completed within 10 s.");
    }
}

public sealed class OwnerDeactivationTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task DeactivateOwner_RevokesItsCredentialsAtOnceAndOnlyItsOwn()
    {
        var leaving = await broker.SeedAsync();
        var staying = await broker.SeedAsync();
        var theirs = (await broker.IssueAsync(leaving)).Credential.Id;
        var others = (await broker.IssueAsync(staying)).Credential.Id;

        var owner = await broker.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = leaving.Owner.Id, Reason = "left the company" }, broker.AdminAuth);

        Assert.False(owner.Active);
        var security = BrokerFixture.Bearer(staying.SecurityToken);
        var revoked = (await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = theirs }, security)).Credential;
        Assert.Equal(CredentialStatus.Revoked, revoked.Status);
        Assert.Contains("left the company", revoked.RevocationReason);
        Assert.Equal(CredentialStatus.Active, (await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = others }, security)).Credential.Status);
        // The event names the revocation; the revocation records how many it covered (counted after the commit).
        Assert.Equal(1, await broker.CountAsync("audit_events a JOIN revocation_watermarks w ON w.id::text = a.metadata->>'revocation_id'",
            $"a.action = 'owner.deactivated' AND a.target_id = '{leaving.Owner.Id}' AND w.owner_id = '{leaving.Owner.Id}' AND w.matched_count = 1"));
    }
}
