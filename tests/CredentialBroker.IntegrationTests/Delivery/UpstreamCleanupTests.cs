using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Delivery;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Delivery;

/// <summary>Every way a direct credential stops working removes its upstream key — or ends, visibly, as irrevocable.</summary>
public sealed class UpstreamCleanupTests(DirectDeliveryFixture broker) : IClassFixture<DirectDeliveryFixture>
{
    private UpstreamKeyCleaner Cleaner => broker.Services.GetRequiredService<UpstreamKeyCleaner>();

    [Fact]
    public async Task RevokeCredential_DeletesTheServiceAccountWithinSeconds()
    {
        var world = await broker.SeedDirectAsync();
        var issued = await broker.IssueAsync(world);
        var account = await broker.UpstreamAsync(issued.Credential.Id, "upstream_id");
        Assert.Contains(broker.AdminApi.Accounts, a => a.Id == account);

        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id, Reason = "done" }, BrokerFixture.Bearer(world.OwnerToken));

        await broker.WaitForAsync(issued.Credential.Id, "state", "deleted");
        Assert.DoesNotContain(broker.AdminApi.Accounts, a => a.Id == account);
        Assert.Contains(broker.AdminApi.Requests, r => r.Method == "DELETE" && r.Path == $"/v1/organization/projects/{FakeProviderAdmin.ProjectId}/service_accounts/{account}");
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.upstream_deleted' AND target_id = '{issued.Credential.Id}' AND actor = 'system:{UpstreamKeyCleaner.Job}'"));
    }

    [Fact]
    public async Task RevokeMatching_DeletesEveryMatchedAccount_AndAlreadyGoneCountsAsDeleted()
    {
        var world = await broker.SeedDirectAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await broker.IssueAsync(world)).Credential.Id);
        }

        broker.AdminApi.RemoveAccount((await broker.UpstreamAsync(ids[0], "upstream_id"))!);

        await broker.Revocations.RevokeMatchingAsync(new RevokeMatchingRequest { Selector = new Selector { OwnerId = world.Owner.Id }, Reason = "incident" }, BrokerFixture.Bearer(world.SecurityToken));

        foreach (var id in ids)
        {
            await broker.WaitForAsync(id, "state", "deleted");
        }

        Assert.DoesNotContain(broker.AdminApi.Accounts, a => ids.Any(id => a.Name == "cb-" + id));
    }

    [Fact]
    public async Task Expired_WithoutTheExpirySweep_IsDeletedByTheJob()
    {
        var world = await broker.SeedDirectAsync();
        var issued = await broker.IssueAsync(world, TimeSpan.FromMinutes(5));
        await Cleaner.CleanAsync(CancellationToken.None);
        Assert.Equal("live", await broker.UpstreamAsync(issued.Credential.Id));

        broker.Time.Advance(TimeSpan.FromMinutes(6));
        await Cleaner.CleanAsync(CancellationToken.None);

        Assert.Equal("deleted", await broker.UpstreamAsync(issued.Credential.Id));
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND status = 'active'"));
    }

    [Fact]
    public async Task DeletionFailing_RetriesWithBackoff_ThenIrrevocable_ListedAuditedAndLogged()
    {
        var world = await broker.SeedDirectAsync();
        var issued = await broker.IssueAsync(world);
        var id = issued.Credential.Id;
        broker.AdminApi.FailRemovals = true;
        try
        {
            await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = id, Reason = "leaked" }, BrokerFixture.Bearer(world.OwnerToken));
            await broker.WaitForAsync(id, "attempts", "1");

            broker.Time.Advance(TimeSpan.FromSeconds(9));
            await Cleaner.CleanAsync(CancellationToken.None);
            Assert.Equal("1", await broker.UpstreamAsync(id, "attempts"));
            broker.Time.Advance(TimeSpan.FromSeconds(2));
            await Cleaner.CleanAsync(CancellationToken.None);
            Assert.Equal("2", await broker.UpstreamAsync(id, "attempts"));
            broker.Time.Advance(TimeSpan.FromSeconds(15));
            await Cleaner.CleanAsync(CancellationToken.None);
            Assert.Equal("live", await broker.UpstreamAsync(id));
            broker.Time.Advance(TimeSpan.FromSeconds(6));
            await Cleaner.CleanAsync(CancellationToken.None);
        }
        finally
        {
            broker.AdminApi.FailRemovals = false;
        }

        Assert.Equal("irrevocable", await broker.UpstreamAsync(id));
        Assert.Contains("HTTP 500", await broker.UpstreamAsync(id, "last_error"), StringComparison.Ordinal);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.upstream_irrevocable' AND target_id = '{id}' AND metadata->>'attempts' = '3'"));
        var listed = await broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest { Irrevocable = true }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(("irrevocable", "direct"), (Assert.Single(listed.Credentials, c => c.Id == id).UpstreamState, listed.Credentials.Single(c => c.Id == id).Delivery));
        Assert.All(listed.Credentials, c => Assert.Equal("irrevocable", c.UpstreamState));

        // Never retried again, and never silently: an error line names the credential.
        await Cleaner.CleanAsync(CancellationToken.None);
        Assert.Equal("3", await broker.UpstreamAsync(id, "attempts"));
        Assert.Contains(broker.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("IRREVOCABLE", StringComparison.Ordinal) && l.Contains(issued.Credential.Prefix, StringComparison.Ordinal));
        var everything = string.Join('\n', broker.Logs.Lines);
        Assert.DoesNotContain(issued.Secret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeProviderAdmin.OpenAiAdminKey, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_FlagsUnknownAccountsAcrossPages_AsShadowKeys()
    {
        var world = await broker.SeedDirectAsync();
        var mine = await broker.IssueAsync(world);
        var foreign = Enumerable.Range(0, 25).Select(i => broker.AdminApi.AddForeignAccount($"legacy-{i}")).ToList();
        var reconciler = broker.Services.GetRequiredService<ShadowKeyReconciler>();

        await reconciler.ReconcileAsync(CancellationToken.None);
        broker.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await reconciler.ReconcileAsync(CancellationToken.None));

        var listed = await broker.Admin.ListShadowKeysAsync(new ListShadowKeysRequest { Provider = world.Provider.Name }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(foreign.Order(), listed.ShadowKeys.Select(s => s.UpstreamId).Order());
        Assert.DoesNotContain(listed.ShadowKeys, s => s.UpstreamId == mine.Credential.Id);
        Assert.All(listed.ShadowKeys, s => Assert.True(s.LastSeen.ToDateTimeOffset() > s.FirstSeen.ToDateTimeOffset()));
        Assert.Equal(25, await broker.CountAsync("audit_events", $"action = 'provider.shadow_key_found' AND target_id = '{world.Provider.Id}'"));
        Assert.True(broker.AdminApi.Requests.Count(r => r.Method == "GET") >= 2);
    }
}
