using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Governance;
using CredentialBroker.V1;
using Microsoft.Extensions.DependencyInjection;
using Duration = Google.Protobuf.WellKnownTypes.Duration;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>A gateway broker where sandbox keys go stale after 7 days, customer-facing after 14, internal never.</summary>
public sealed class StaleBrokerFixture : GatewayFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:Governance:StaleAfterSandbox"] = "7.00:00:00",
        ["Broker:Governance:StaleAfterInternal"] = "00:00:00",
        ["Broker:Governance:StaleAfterCustomerFacing"] = "14.00:00:00",
    };
}

public sealed class StaleJobTests(StaleBrokerFixture broker) : IClassFixture<StaleBrokerFixture>
{
    [Fact]
    public async Task LastUsedAt_SetFromGatewayMetering_MovesForwardOnly()
    {
        var world = await SeedAsync(RiskTier.Sandbox);
        var issued = await broker.IssueAsync(world);
        Assert.Null((await ReadAsync(issued)).LastUsedAt);

        broker.Time.Advance(TimeSpan.FromMinutes(5));
        var firstCall = broker.Time.GetUtcNow();
        await CallAsync(issued.Secret, HttpStatusCode.OK);
        Assert.Equal(firstCall, (await ReadAsync(issued)).LastUsedAt.ToDateTimeOffset(), TimeSpan.FromMilliseconds(1));

        broker.Time.Advance(TimeSpan.FromMinutes(1));
        await CallAsync(issued.Secret, HttpStatusCode.OK);
        Assert.Equal(broker.Time.GetUtcNow(), (await ReadAsync(issued)).LastUsedAt.ToDateTimeOffset(), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Sweep_RevokesPerTierAtTheRightTime_NotBefore()
    {
        var sandbox = await SeedAsync(RiskTier.Sandbox);
        var customerFacing = await SeedAsync(RiskTier.CustomerFacing);
        var internalTier = await SeedAsync(RiskTier.Internal);
        var neverUsed = await broker.IssueAsync(sandbox);
        var used = await broker.IssueAsync(sandbox);
        var customer = await broker.IssueAsync(customerFacing);
        var inside = await broker.IssueAsync(internalTier);
        var sweeper = broker.Services.GetRequiredService<StaleSweeper>();

        broker.Time.Advance(TimeSpan.FromDays(6));
        await CallAsync(used.Secret, HttpStatusCode.OK);
        broker.Time.Advance(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(1));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(CredentialStatus.Active, (await ReadAsync(neverUsed)).Status);

        broker.Time.Advance(TimeSpan.FromMinutes(2));
        await sweeper.SweepAsync(CancellationToken.None);
        var stale = await ReadAsync(neverUsed);
        Assert.Equal(CredentialStatus.Revoked, stale.Status);
        Assert.Equal("unused for 7 days", stale.RevocationReason);
        Assert.Equal(CredentialStatus.Active, (await ReadAsync(used)).Status);
        Assert.Equal(CredentialStatus.Active, (await ReadAsync(customer)).Status);
        await CallAsync(neverUsed.Secret, HttpStatusCode.Unauthorized);

        // Used on day 6: stale on day 13.
        broker.Time.Advance(TimeSpan.FromDays(6) - TimeSpan.FromMinutes(3));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(CredentialStatus.Active, (await ReadAsync(used)).Status);
        broker.Time.Advance(TimeSpan.FromMinutes(3));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(CredentialStatus.Revoked, (await ReadAsync(used)).Status);
        await CallAsync(used.Secret, HttpStatusCode.Unauthorized);
        Assert.Equal(CredentialStatus.Active, (await ReadAsync(customer)).Status);

        broker.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal("unused for 14 days", (await ReadAsync(customer)).RevocationReason);

        broker.Time.Advance(TimeSpan.FromDays(6));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(CredentialStatus.Active, (await ReadAsync(inside)).Status);

        var ids = string.Join(',', new[] { neverUsed, used, customer }.Select(c => $"'{c.Credential.Id}'"));
        Assert.Equal(3, await broker.CountAsync("audit_events", $"action = 'credential.revoked' AND actor = '{StaleSweeper.Actor}' AND target_id IN ({ids})"));
        Assert.Equal(0, await broker.CountAsync("audit_events", $"actor = '{StaleSweeper.Actor}' AND target_id = '{inside.Credential.Id}'"));
    }

    /// <summary>A gateway world of the tier whose keys live 30 days.</summary>
    private Task<World> SeedAsync(RiskTier tier) => broker.SeedGatewayAsync(purpose: p =>
    {
        p.RiskTier = tier;
        p.DefaultTtl = Duration.FromTimeSpan(TimeSpan.FromDays(30));
        p.MaxTtl = Duration.FromTimeSpan(TimeSpan.FromDays(30));
        p.MaxLifetime = Duration.FromTimeSpan(TimeSpan.FromDays(60));
    });

    private async Task CallAsync(string key, HttpStatusCode expected)
    {
        using var response = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat());
        Assert.Equal(expected, response.StatusCode);
        await broker.FlushUsageAsync();
    }

    private async Task<Credential> ReadAsync(IssueCredentialResponse issued) =>
        (await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, broker.AdminAuth)).Credential;
}
