using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>Owner directory sync through the SyncOwnerDirectory RPC: offboarding by omission, after a grace period.</summary>
public sealed class DirectorySyncTests(DirectoryBrokerFixture broker) : IClassFixture<DirectoryBrokerFixture>
{
    [Fact]
    public async Task Sync_CreatesAndUpdates_MissingOwnerDeactivatedOnlyAfterGrace_CredentialsRevoked()
    {
        var world = await broker.SeedAsync(p =>
        {
            p.MaxTtl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(7));
            p.MaxLifetime = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(30));
        });
        var issued = await broker.IssueAsync(world, TimeSpan.FromDays(3));
        var alice = Unique("alice");

        var first = await SyncAsync($"name,email,external_id\n{alice},{alice}@example.com,E-{alice}\n{world.Owner.Name},new-{alice}@example.com,\n");

        Assert.Equal([alice], first.Created);
        Assert.Equal([world.Owner.Name], first.Updated);
        var owner = await OwnerAsync(world.Owner.Name);
        Assert.True(owner.DirectoryManaged);
        Assert.Equal($"new-{alice}@example.com", owner.Email);
        Assert.Equal($"E-{alice}", (await OwnerAsync(alice)).ExternalId);

        var missing = await SyncAsync($"name,email\n{alice},{alice}@example.com\n");
        Assert.Contains(world.Owner.Name, missing.Missing);
        Assert.Empty(missing.Deactivated);
        Assert.NotNull((await OwnerAsync(world.Owner.Name)).MissingSince);

        broker.Time.Advance(TimeSpan.FromHours(23));
        var withinGrace = await SyncAsync($"name,email\n{alice},{alice}@example.com\n");
        Assert.Contains(world.Owner.Name, withinGrace.Missing);
        Assert.True((await OwnerAsync(world.Owner.Name)).Active);
        Assert.Equal(CredentialStatus.Active, (await CredentialAsync(issued)).Status);

        broker.Time.Advance(TimeSpan.FromHours(2));
        var pastGrace = await SyncAsync($"name,email\n{alice},{alice}@example.com\n");

        Assert.Contains(world.Owner.Name, pastGrace.Deactivated);
        Assert.False((await OwnerAsync(world.Owner.Name)).Active);
        var credential = await CredentialAsync(issued);
        Assert.Equal(CredentialStatus.Revoked, credential.Status);
        Assert.StartsWith("owner deactivated: removed from directory", credential.RevocationReason);
        // The workload can get no new token (its day-old one has expired), hence no new credentials.
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            broker.Admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Workload, WorkloadId = world.Workload.Id }, broker.AdminAuth), "deactivated");
        Assert.True((await OwnerAsync(alice)).Active);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'owner.deactivated' AND target_id = '{world.Owner.Id}' AND reason LIKE 'removed from directory%'"));
    }

    [Fact]
    public async Task Sync_OwnerReappears_MissingMarkClearedAndNeverDeactivated()
    {
        var bob = Unique("bob");
        var listed = $"name,email\n{bob},{bob}@example.com\n";
        await SyncAsync(listed);
        await SyncAsync($"name,email\n{Unique("other")},o@example.com\n");
        Assert.NotNull((await OwnerAsync(bob)).MissingSince);

        var back = await SyncAsync(listed);
        broker.Time.Advance(TimeSpan.FromDays(2));
        await SyncAsync(listed);

        Assert.Equal([bob], back.Reappeared);
        var owner = await OwnerAsync(bob);
        Assert.Null(owner.MissingSince);
        Assert.True(owner.Active);
    }

    [Fact]
    public async Task Sync_HandMadeOwners_NeverDeactivated()
    {
        var world = await broker.SeedAsync();
        await SyncAsync($"name,email\n{Unique("carol")},carol@example.com\n");
        broker.Time.Advance(TimeSpan.FromDays(3));

        var plan = await SyncAsync($"name,email\n{Unique("dan")},dan@example.com\n");

        Assert.DoesNotContain(world.Owner.Name, plan.Missing.Concat(plan.Deactivated));
        var owner = await OwnerAsync(world.Owner.Name);
        Assert.True(owner.Active);
        Assert.False(owner.DirectoryManaged);
        Assert.Null(owner.MissingSince);
    }

    [Fact]
    public async Task DryRun_ReportsThePlan_WritesNothing()
    {
        var erin = Unique("erin");
        await SyncAsync($"name,email\n{erin},{erin}@example.com\n");
        await SyncAsync($"name,email\n{Unique("x")},x@example.com\n");
        broker.Time.Advance(TimeSpan.FromDays(2));
        var before = await broker.OwnersSnapshotAsync();
        var frank = Unique("frank");

        var plan = await SyncAsync($"[{{\"name\": \"{frank}\", \"email\": \"{frank}@example.com\"}}]", dryRun: true);

        Assert.True(plan.DryRun);
        Assert.Equal([frank], plan.Created);
        Assert.Contains(erin, plan.Deactivated);
        Assert.Equal(before, await broker.OwnersSnapshotAsync());
        Assert.True((await OwnerAsync(erin)).Active);
    }

    [Theory]
    [InlineData("name,mail\nok-{0},ok@example.com\n", "line 1: unknown column 'mail'")]
    [InlineData("name\nok-{0}\n", "no 'email' column")]
    [InlineData("name,email\nok-{0},ok@example.com\nsam-{0},a@example.com\nsam-{0},b@example.com\n", "line 4 name: 'sam-{0}' is listed twice (also line 3)")]
    [InlineData("name,email\nok-{0},same@example.com\nsam-{0},same@example.com\n", "line 3 email")]
    [InlineData("name,email\nok-{0},ok@example.com\nsam-{0},not-an-email\n", "line 3 email: 'not-an-email' is not an email address")]
    [InlineData("name,email\nok-{0},ok@example.com,extra\n", "line 2: has 3 fields")]
    [InlineData("", "content: is empty")]
    [InlineData("name,email\n", "lists no owners")]
    [InlineData("[{{\"name\": \"ok-{0}\", \"email\": \"ok@example.com\"}},", "not valid JSON")]
    [InlineData("[{{\"name\": \"ok-{0}\", \"email\": \"ok@example.com\", \"team\": \"x\"}}]", "[0]: unknown property 'team'")]
    [InlineData("{{\"name\": \"ok-{0}\"}}", "expected an array")]
    public async Task MalformedFile_RejectedWhole_ChangesNothing(string template, string expected)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        await broker.SeedAsync();
        var before = await broker.OwnersSnapshotAsync();

        var error = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, () => SyncAsync(string.Format(template, id)), string.Format(expected, id));

        Assert.Equal(before, await broker.OwnersSnapshotAsync());
        Assert.Equal(0, await broker.CountAsync("owners", $"name LIKE '%-{id}'"));
        Assert.DoesNotContain("Exception", error.Status.Detail);
    }

    [Fact]
    public async Task UnknownFormat_InvalidArgument()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            broker.Admin.SyncOwnerDirectoryAsync(new SyncOwnerDirectoryRequest { Content = "name,email\na,a@example.com", Format = "xml" }, broker.AdminAuth), "format");
    }

    private async Task<SyncOwnerDirectoryResponse> SyncAsync(string content, bool dryRun = false) =>
        await broker.Admin.SyncOwnerDirectoryAsync(new SyncOwnerDirectoryRequest { Content = content, DryRun = dryRun }, broker.AdminAuth);

    private async Task<Owner> OwnerAsync(string name)
    {
        var owners = await broker.Admin.ListOwnersAsync(new ListOwnersRequest { IncludeInactive = true, PageSize = 500 }, broker.AdminAuth);
        return Assert.Single(owners.Owners, o => o.Name == name);
    }

    private async Task<Credential> CredentialAsync(IssueCredentialResponse issued) =>
        (await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, broker.AdminAuth)).Credential;

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];
}
