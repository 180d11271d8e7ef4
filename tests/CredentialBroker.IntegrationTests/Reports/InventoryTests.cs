using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Reports;

public sealed class InventoryTests(ReportFixture fixture) : IClassFixture<ReportFixture>
{
    [Fact]
    public async Task GetInventory_ByOwner_CountsLiveCredentialsWithTtlLastUseAndSpend()
    {
        var busy = await fixture.SeedBoundedAsync();
        var quiet = await fixture.SeedBoundedAsync();
        var used = (await fixture.IssueAsync(busy, TimeSpan.FromMinutes(10))).Credential;
        await fixture.IssueAsync(busy, TimeSpan.FromMinutes(30));
        var revoked = (await fixture.IssueAsync(busy)).Credential;
        await fixture.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = revoked.Id, Reason = "test" }, FixtureAuth(busy));
        await fixture.IssueAsync(quiet, TimeSpan.FromMinutes(20));
        var now = fixture.Time.GetUtcNow();
        await fixture.InsertUsageAsync(used, now.AddMinutes(-1), costMicroUsd: 1_500);
        await fixture.InsertUsageAsync(used, now.AddSeconds(-10), costMicroUsd: 2_500);
        await fixture.InsertUsageAsync(used, now.AddDays(-40), costMicroUsd: 99_000); // before the spend window

        var inventory = await fixture.Reports.GetInventoryAsync(new GetInventoryRequest { GroupBy = { "owner" } }, Admin(busy));

        Assert.Equal(["owner"], inventory.GroupBy);
        var row = Assert.Single(inventory.Groups, g => g.OwnerId == busy.Owner.Id);
        Assert.Equal(busy.Owner.Name, row.OwnerName);
        Assert.Equal(2, row.LiveCredentials);
        Assert.Equal(1, row.NeverUsed);
        Assert.Equal(2, row.Requests);
        Assert.Equal(4_000, row.SpendMicroUsd);
        Assert.Equal(TimeSpan.FromMinutes(30), row.TtlMax.ToTimeSpan());
        Assert.Equal(TimeSpan.FromMinutes(20), row.TtlP50.ToTimeSpan());
        Assert.Equal(now.AddSeconds(-10).ToUnixTimeSeconds(), row.LastUsedAt.ToDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(string.Empty, row.Provider); // not grouped by provider
        var quietRow = Assert.Single(inventory.Groups, g => g.OwnerId == quiet.Owner.Id);
        Assert.Equal(1, quietRow.LiveCredentials);
        Assert.Null(quietRow.LastUsedAt);
        Assert.Equal(inventory.Groups.Sum(g => g.LiveCredentials), inventory.Total.LiveCredentials);
    }

    [Fact]
    public async Task GetInventory_NoGrouping_GroupsByAllFourDimensions()
    {
        var world = await fixture.SeedBoundedAsync();
        await fixture.IssueAsync(world);

        var inventory = await fixture.Reports.GetInventoryAsync(new GetInventoryRequest(), Admin(world));

        Assert.Equal(["owner", "purpose", "provider", "risk_tier"], inventory.GroupBy);
        var row = Assert.Single(inventory.Groups, g => g.PurposeId == world.Purpose.Id);
        Assert.Equal((world.Owner.Name, world.Purpose.Name, world.Provider.Name, "internal", 1L), (row.OwnerName, row.PurposeName, row.Provider, row.RiskTier, row.LiveCredentials));
    }

    [Fact]
    public async Task GetInventory_UnknownDimension_InvalidArgumentNamingIt()
    {
        var world = await fixture.SeedBoundedAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Reports.GetInventoryAsync(
            new GetInventoryRequest { GroupBy = { "team" }, SpendWindow = Duration.FromTimeSpan(TimeSpan.FromDays(7)) }, Admin(world)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("unknown dimension 'team'", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInventory_OwnerRole_PermissionDenied()
    {
        var world = await fixture.SeedBoundedAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Reports.GetInventoryAsync(new GetInventoryRequest(), BrokerFixture.Bearer(world.OwnerToken)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    private static Metadata Admin(World world) => BrokerFixture.Bearer(world.SecurityToken);

    private static Metadata FixtureAuth(World world) => BrokerFixture.Bearer(world.AdminToken);
}
