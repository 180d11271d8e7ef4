using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Credentials;

public sealed class CredentialLifecycleTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Issue_GrantedPurpose_ReturnsSecretOnceAndStoresOnlyItsHash()
    {
        var world = await broker.SeedAsync();

        var issued = await broker.IssueAsync(world, TimeSpan.FromMinutes(10), new Dictionary<string, string> { ["team"] = "payments" });

        Assert.StartsWith("cbk_", issued.Secret);
        Assert.StartsWith(issued.Credential.Prefix, issued.Secret);
        Assert.Equal(CredentialStatus.Active, issued.Credential.Status);
        Assert.Equal(world.Owner.Id, issued.Credential.OwnerId);
        Assert.Equal(world.Workload.Id, issued.Credential.WorkloadId);
        Assert.Equal(world.Provider.Name, issued.Credential.Provider);
        Assert.Equal(TimeSpan.FromMinutes(10), issued.Credential.ExpiresAt.ToDateTimeOffset() - issued.Credential.IssuedAt.ToDateTimeOffset());
        Assert.Equal(TimeSpan.FromHours(4), issued.Credential.MaxExpiresAt.ToDateTimeOffset() - issued.Credential.IssuedAt.ToDateTimeOffset());
        Assert.False(string.IsNullOrEmpty(issued.GatewayBaseUrl));
        Assert.Equal(0, await broker.CountAsync("credentials", $"secret_hash::text LIKE '%{issued.Secret}%' OR prefix = '{issued.Secret}'"));
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND secret_hash = sha256('{issued.Secret}'::bytea)"));
        Assert.Equal(0, await broker.CountAsync("audit_events", $"metadata::text LIKE '%{issued.Secret[4..]}%' OR coalesce(reason, '') LIKE '%{issued.Secret[4..]}%'"));

        var read = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.OwnerToken));
        Assert.Equal("payments", read.Credential.Labels["team"]);
        Assert.Equal(world.Purpose.Name, read.Credential.Purpose);
    }

    [Fact]
    public async Task Issue_TtlAboveMax_IsClampedAndDefaultIsPurposeDefault()
    {
        var world = await broker.SeedAsync();

        var clamped = await broker.IssueAsync(world, TimeSpan.FromDays(3));
        var defaulted = await broker.IssueAsync(world);

        Assert.Equal(TimeSpan.FromHours(1), clamped.Credential.ExpiresAt.ToDateTimeOffset() - clamped.Credential.IssuedAt.ToDateTimeOffset());
        Assert.Equal(TimeSpan.FromMinutes(15), defaulted.Credential.ExpiresAt.ToDateTimeOffset() - defaulted.Credential.IssuedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task Renew_ExtendsUpToMaxExpiresAtAndNeverPast()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world, TimeSpan.FromHours(1));
        var auth = BrokerFixture.Bearer(world.WorkloadToken);
        var maxExpiresAt = issued.Credential.MaxExpiresAt.ToDateTimeOffset();

        for (var i = 0; i < 6; i++)
        {
            broker.Time.Advance(TimeSpan.FromMinutes(50));
            var renewed = await broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = issued.Credential.Id, Ttl = Duration.FromTimeSpan(TimeSpan.FromHours(1)) }, auth);
            Assert.True(renewed.Credential.ExpiresAt.ToDateTimeOffset() <= maxExpiresAt);
            if (renewed.Credential.ExpiresAt.ToDateTimeOffset() == maxExpiresAt)
            {
                break;
            }
        }

        var final = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, auth);
        Assert.Equal(maxExpiresAt, final.Credential.ExpiresAt.ToDateTimeOffset());
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = issued.Credential.Id }, auth), "maximum lifetime");
    }

    [Fact]
    public async Task Renew_RevokedOrExpired_FailsWithReasonAndIsAudited()
    {
        var world = await broker.SeedAsync();
        var auth = BrokerFixture.Bearer(world.OwnerToken);
        var revoked = await broker.IssueAsync(world);
        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = revoked.Credential.Id, Reason = "laptop stolen" }, auth);
        var expiring = await broker.IssueAsync(world, TimeSpan.FromMinutes(5));
        broker.Time.Advance(TimeSpan.FromMinutes(6));

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = revoked.Credential.Id }, auth), "laptop stolen");
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = expiring.Credential.Id }, auth), "expired");

        Assert.Equal(2, await broker.CountAsync("audit_events", $"action = 'credential.renew.denied' AND outcome = 'denied' AND target_id IN ('{revoked.Credential.Id}', '{expiring.Credential.Id}')"));
    }

    [Fact]
    public async Task Revoke_IsIdempotentAndAudited()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world);
        var auth = BrokerFixture.Bearer(world.WorkloadToken);

        var first = await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id, Reason = "rotating" }, auth);
        var second = await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id, Reason = "again" }, auth);

        Assert.Equal(CredentialStatus.Revoked, first.Credential.Status);
        Assert.Equal(CredentialStatus.Revoked, second.Credential.Status);
        Assert.Equal("rotating", second.Credential.RevocationReason);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.revoked' AND target_id = '{issued.Credential.Id}'"));
    }

    [Fact]
    public async Task List_PagesThroughEveryCredentialOnceNewestFirst()
    {
        var world = await broker.SeedAsync();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await broker.IssueAsync(world)).Credential.Id);
            broker.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = new List<string>();
        var token = string.Empty;
        do
        {
            var page = await broker.Credentials.ListCredentialsAsync(
                new ListCredentialsRequest { PageSize = 3, PageToken = token, OwnerId = world.Owner.Id }, BrokerFixture.Bearer(world.OwnerToken));
            Assert.True(page.Credentials.Count <= 3);
            seen.AddRange(page.Credentials.Select(c => c.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        ids.Reverse();
        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task List_StatusFilter_UsesEnforcedState()
    {
        var world = await broker.SeedAsync();
        var auth = BrokerFixture.Bearer(world.OwnerToken);
        var active = await broker.IssueAsync(world, TimeSpan.FromHours(1));
        var revoked = await broker.IssueAsync(world);
        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = revoked.Credential.Id, Reason = "test" }, auth);
        var expired = await broker.IssueAsync(world, TimeSpan.FromMinutes(2));
        broker.Time.Advance(TimeSpan.FromMinutes(3));

        async Task<string[]> Ids(CredentialStatus status) =>
            (await broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest { Status = status }, auth)).Credentials.Select(c => c.Id).ToArray();

        Assert.Equal([active.Credential.Id], await Ids(CredentialStatus.Active));
        Assert.Equal([revoked.Credential.Id], await Ids(CredentialStatus.Revoked));
        Assert.Equal([expired.Credential.Id], await Ids(CredentialStatus.Expired));
    }
}
