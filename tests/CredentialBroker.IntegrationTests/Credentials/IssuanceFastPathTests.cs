using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Credentials;

/// <summary>
/// After a first issuance, the next ones are decided on facts held in memory and re-checked by the
/// statement that writes the credential. A change made behind the broker's back (plain SQL, as
/// another replica or an operator would) must still refuse the very next issuance, precisely, and
/// write nothing.
/// </summary>
public sealed class IssuanceFastPathTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData("DELETE FROM grants WHERE workload_id = '{workload}'", StatusCode.PermissionDenied, "not granted")]
    [InlineData("UPDATE purposes SET retired_at = now(), retirement_reason = 'ended' WHERE id = '{purpose}'", StatusCode.FailedPrecondition, "retired")]
    [InlineData("UPDATE owners SET active = false WHERE id = '{owner}'", StatusCode.FailedPrecondition, "deactivated owner")]
    [InlineData("UPDATE workloads SET deregistered_at = now(), deregistration_reason = 'gone' WHERE id = '{workload}'", StatusCode.FailedPrecondition, "deregistered")]
    [InlineData("UPDATE purposes SET allowed_models = ARRAY['other-model'] WHERE id = '{purpose}'", StatusCode.PermissionDenied, "does not allow model")]
    public async Task Issue_AfterAChangeNoNotificationAnnounced_IsRefusedAndWritesNothing(string change, StatusCode expected, string message)
    {
        var world = await broker.SeedAsync();
        await broker.IssueAsync(world);
        await broker.IssueAsync(world);
        var before = await broker.CountAsync("credentials", $"purpose_id = '{world.Purpose.Id}'");

        await broker.ExecuteAsync(change
            .Replace("{workload}", world.Workload.Id).Replace("{purpose}", world.Purpose.Id).Replace("{owner}", world.Owner.Id));

        var request = new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name };
        request.Models.Add("gpt-4o-mini");
        await RpcAssert.FailsAsync(expected, broker.Credentials.IssueCredentialAsync(request, BrokerFixture.Bearer(world.WorkloadToken)), message);
        Assert.Equal(before, await broker.CountAsync("credentials", $"purpose_id = '{world.Purpose.Id}'"));
    }

    [Fact]
    public async Task Issue_PurposePolicyChanged_NextIssuanceUsesTheNewPolicy()
    {
        var world = await broker.SeedAsync();
        await broker.IssueAsync(world);

        await broker.ExecuteAsync($"UPDATE purposes SET default_ttl = interval '7 minutes' WHERE id = '{world.Purpose.Id}'");
        var issued = await broker.Credentials.IssueCredentialAsync(
            new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name }, BrokerFixture.Bearer(world.WorkloadToken));

        Assert.Equal(TimeSpan.FromMinutes(7), issued.Credential.ExpiresAt.ToDateTimeOffset() - issued.Credential.IssuedAt.ToDateTimeOffset());
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.issued' AND target_id = '{issued.Credential.Id}'"));
    }
}
