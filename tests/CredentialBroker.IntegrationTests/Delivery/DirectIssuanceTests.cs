using System.Security.Cryptography;
using System.Text;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Delivery;

/// <summary>IssueCredential for a direct purpose: a real OpenAI key, minted per credential, with the governance of a gateway key.</summary>
public sealed class DirectIssuanceTests(DirectDeliveryFixture broker) : IClassFixture<DirectDeliveryFixture>
{
    [Fact]
    public async Task Issue_DirectPurpose_ReturnsServiceAccountKey_WithOwnerPurposeTtlAndAudit()
    {
        var world = await broker.SeedDirectAsync();
        var request = new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name, Ttl = Duration.FromTimeSpan(TimeSpan.FromHours(3)) };

        var issued = await broker.Credentials.IssueCredentialAsync(request, BrokerFixture.Bearer(world.WorkloadToken));

        var c = issued.Credential;
        Assert.StartsWith("sk-svcacct-", issued.Secret, StringComparison.Ordinal);
        Assert.Contains(issued.Secret, broker.AdminApi.IssuedKeys);
        Assert.Equal(("direct", "live"), (c.Delivery, c.UpstreamState));
        Assert.Equal((world.Owner.Id, world.Purpose.Id, world.Workload.Id), (c.OwnerId, c.PurposeId, c.WorkloadId));
        Assert.Equal(TimeSpan.FromHours(1), c.ExpiresAt.ToDateTimeOffset() - c.IssuedAt.ToDateTimeOffset());
        Assert.Equal(broker.AdminApi.BaseUrl, issued.GatewayBaseUrl);
        var create = broker.AdminApi.Requests.Last(r => r.Method == "POST");
        Assert.Equal($"/v1/organization/projects/{FakeProviderAdmin.ProjectId}/service_accounts", create.Path);
        Assert.Equal("Bearer " + FakeProviderAdmin.OpenAiAdminKey, create.Headers["Authorization"]);
        Assert.Contains($"\"cb-{c.Id}\"", create.Body, StringComparison.Ordinal);

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(issued.Secret)));
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{c.Id}' AND encode(secret_hash, 'hex') = '{hash}'"));
        Assert.Equal(1, await broker.CountAsync("upstream_keys", $"credential_id = '{c.Id}' AND upstream_id LIKE 'svc_acct_%' AND key_id LIKE 'key_%' AND state = 'live'"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.issued' AND target_id = '{c.Id}' AND metadata->>'delivery' = 'direct'"));
        Assert.Equal(0, await broker.CountAsync("audit_events", $"metadata::text LIKE '%{issued.Secret}%' OR metadata::text LIKE '%{FakeProviderAdmin.OpenAiAdminKey}%'"));

        var read = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = c.Id }, BrokerFixture.Bearer(world.OwnerToken));
        Assert.Equal(("direct", "live"), (read.Credential.Delivery, read.Credential.UpstreamState));
    }

    [Fact]
    public async Task Issue_GatewayPurpose_IsUnchanged()
    {
        var world = await broker.SeedAsync();

        var issued = await broker.IssueAsync(world);

        Assert.StartsWith("cbk_", issued.Secret, StringComparison.Ordinal);
        Assert.Equal("gateway", issued.Credential.Delivery);
        Assert.Equal(0, await broker.CountAsync("upstream_keys", $"credential_id = '{issued.Credential.Id}'"));
    }

    [Theory]
    [InlineData(500, "HTTP 500")]
    [InlineData(403, "admin key")]
    [InlineData(0, "did not answer")]
    public async Task Issue_AdminApiFails_Unavailable_AndWritesNothing(int status, string message)
    {
        var world = await broker.SeedDirectAsync();
        var before = await broker.SnapshotAsync();
        var upstreamBefore = await broker.CountAsync("upstream_keys");
        if (status == 0)
        {
            broker.AdminApi.Delay = TimeSpan.FromSeconds(2);
        }
        else
        {
            broker.AdminApi.FailNext(status);
        }

        try
        {
            var error = await RpcAssert.FailsAsync(StatusCode.Unavailable, () => broker.IssueAsync(world), message);
            Assert.Contains("Nothing was issued", error.Status.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeProviderAdmin.OpenAiAdminKey, error.Status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            broker.AdminApi.Delay = TimeSpan.Zero;
        }

        Assert.Equal(before, await broker.SnapshotAsync());
        Assert.Equal(upstreamBefore, await broker.CountAsync("upstream_keys"));
    }

    [Fact]
    public async Task PurposeDelivery_IsValidatedAndSwitchable()
    {
        var world = await broker.SeedAsync();

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, broker.Admin.UpdatePurposeAsync(
            new UpdatePurposeRequest { Id = world.Purpose.Id, Delivery = "sideways", UpdateMask = new FieldMask { Paths = { "delivery" } } }, broker.AdminAuth), "'gateway' or 'direct'");
        var updated = await broker.Admin.UpdatePurposeAsync(
            new UpdatePurposeRequest { Id = world.Purpose.Id, Delivery = "direct", UpdateMask = new FieldMask { Paths = { "delivery" } } }, broker.AdminAuth);

        Assert.Equal("direct", updated.Delivery);
        // The seeded provider has no admin key: issuance says what is missing instead of minting.
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, () => broker.IssueAsync(world), "no admin key");
    }
}
