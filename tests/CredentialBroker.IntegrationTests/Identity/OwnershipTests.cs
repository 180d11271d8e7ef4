using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Identity;

/// <summary>Workloads and owners reach only their own credentials.</summary>
public sealed class OwnershipTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Workload_ReachingForAnotherWorkloadsCredential_IsDeniedAndAudited()
    {
        var mine = await broker.SeedAsync();
        var theirs = await broker.SeedAsync();
        var theirCredential = (await broker.IssueAsync(theirs)).Credential.Id;
        var auth = BrokerFixture.Bearer(mine.WorkloadToken);

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = theirCredential }, auth), "another workload");
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = theirCredential }, auth));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = theirCredential, Reason = "mine now" }, auth));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest { WorkloadId = theirs.Workload.Id }, auth));

        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{theirCredential}' AND status = 'active'"));
        Assert.Equal(3, await broker.CountAsync("audit_events", $"outcome = 'denied' AND target_id = '{theirCredential}'"));
    }

    [Fact]
    public async Task Owner_ReachingForAnotherOwnersCredential_IsDenied()
    {
        var mine = await broker.SeedAsync();
        var theirs = await broker.SeedAsync();
        var theirCredential = (await broker.IssueAsync(theirs)).Credential.Id;
        var auth = BrokerFixture.Bearer(mine.OwnerToken);

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = theirCredential }, auth), "another owner");
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = theirCredential }, auth));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = theirCredential, Reason = "x" }, auth));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest { OwnerId = theirs.Owner.Id }, auth));
    }

    [Fact]
    public async Task List_AsWorkloadOrOwner_ShowsOnlyOwnCredentials()
    {
        var mine = await broker.SeedAsync();
        var theirs = await broker.SeedAsync();
        var myCredential = (await broker.IssueAsync(mine)).Credential.Id;
        await broker.IssueAsync(theirs);

        var asWorkload = await broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest(), BrokerFixture.Bearer(mine.WorkloadToken));
        var asOwner = await broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest(), BrokerFixture.Bearer(mine.OwnerToken));
        var asSecurity = await broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest { OwnerId = theirs.Owner.Id }, BrokerFixture.Bearer(mine.SecurityToken));

        Assert.Equal([myCredential], asWorkload.Credentials.Select(c => c.Id));
        Assert.Equal([myCredential], asOwner.Credentials.Select(c => c.Id));
        Assert.All(asSecurity.Credentials, c => Assert.Equal(theirs.Owner.Id, c.OwnerId));
        Assert.NotEmpty(asSecurity.Credentials);
    }

    [Fact]
    public async Task Issue_PurposeNotGranted_ReturnsPermissionDeniedAndWritesNoCredential()
    {
        var mine = await broker.SeedAsync();
        var theirs = await broker.SeedAsync();
        var before = await broker.CountAsync("credentials");

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied,
            broker.Credentials.IssueCredentialAsync(new IssueCredentialRequest { Purpose = theirs.Purpose.Name, Provider = theirs.Provider.Name }, BrokerFixture.Bearer(mine.WorkloadToken)),
            "not granted");

        Assert.Equal(before, await broker.CountAsync("credentials"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.issue.denied' AND actor = 'workload:{mine.Workload.Identity}'"));
    }
}
