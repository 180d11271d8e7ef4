using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Identity;

/// <summary>Every role against every RPC: allowed roles get past authorization, all others get PERMISSION_DENIED.</summary>
public sealed class AuthorizationMatrixTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static readonly string _someId = Guid.NewGuid().ToString();

    public static TheoryData<string> Rpcs => new(Calls.Keys);

    private static readonly Dictionary<string, (string[] Allowed, Func<BrokerFixture, Metadata, Task> Call)> Calls = new()
    {
        ["IssueCredential"] = (["workload"], (b, m) => b.Credentials.IssueCredentialAsync(new IssueCredentialRequest { Purpose = "nope", Provider = "nope" }, m).ResponseAsync),
        ["RenewCredential"] = (["workload", "owner"], (b, m) => b.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = _someId }, m).ResponseAsync),
        ["RevokeCredential"] = (["workload", "owner", "security", "admin"], (b, m) => b.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = _someId, Reason = "x" }, m).ResponseAsync),
        ["GetCredential"] = (["workload", "owner", "security", "admin"], (b, m) => b.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = _someId }, m).ResponseAsync),
        ["ListCredentials"] = (["workload", "owner", "security", "admin"], (b, m) => b.Credentials.ListCredentialsAsync(new ListCredentialsRequest(), m).ResponseAsync),
        ["RevokeMatching"] = (["security", "admin"], (b, m) => b.Revocations.RevokeMatchingAsync(new RevokeMatchingRequest { Selector = new Selector { OwnerId = _someId }, Reason = "x", DryRun = true }, m).ResponseAsync),
        ["GetRevocation"] = (["security", "admin"], (b, m) => b.Revocations.GetRevocationAsync(new GetRevocationRequest { Id = _someId }, m).ResponseAsync),
        ["WhoAmI"] = (["workload", "owner", "security", "admin"], (b, m) => new IdentityService.IdentityServiceClient(b.Channel).WhoAmIAsync(new WhoAmIRequest(), m).ResponseAsync),
        ["ListAuditEvents"] = (["security", "admin"], (b, m) => b.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 1 }, m).ResponseAsync),
        ["VerifyAuditChain"] = (["security", "admin"], (b, m) => b.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), m).ResponseAsync),
        ["CreateOwner"] = (["admin"], (b, m) => b.Admin.CreateOwnerAsync(new CreateOwnerRequest(), m).ResponseAsync),
        ["DeactivateOwner"] = (["admin"], (b, m) => b.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = _someId, Reason = "x" }, m).ResponseAsync),
        ["ListOwners"] = (["admin"], (b, m) => b.Admin.ListOwnersAsync(new ListOwnersRequest(), m).ResponseAsync),
        ["RegisterWorkload"] = (["admin"], (b, m) => b.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest(), m).ResponseAsync),
        ["ListWorkloads"] = (["admin"], (b, m) => b.Admin.ListWorkloadsAsync(new ListWorkloadsRequest(), m).ResponseAsync),
        ["CreatePurpose"] = (["admin"], (b, m) => b.Admin.CreatePurposeAsync(new CreatePurposeRequest(), m).ResponseAsync),
        ["UpdatePurpose"] = (["admin"], (b, m) => b.Admin.UpdatePurposeAsync(new UpdatePurposeRequest { Id = _someId }, m).ResponseAsync),
        ["ListPurposes"] = (["admin"], (b, m) => b.Admin.ListPurposesAsync(new ListPurposesRequest(), m).ResponseAsync),
        ["GrantPurpose"] = (["admin"], (b, m) => b.Admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = _someId, PurposeId = _someId }, m).ResponseAsync),
        ["ListGrants"] = (["admin"], (b, m) => b.Admin.ListGrantsAsync(new ListGrantsRequest(), m).ResponseAsync),
        ["RegisterProvider"] = (["admin"], (b, m) => b.Admin.RegisterProviderAsync(new RegisterProviderRequest(), m).ResponseAsync),
        ["ListProviders"] = (["admin"], (b, m) => b.Admin.ListProvidersAsync(new ListProvidersRequest(), m).ResponseAsync),
        ["SetOwnerLimits"] = (["admin"], (b, m) => b.Admin.SetOwnerLimitsAsync(new SetOwnerLimitsRequest { OwnerId = _someId }, m).ResponseAsync),
        ["UpdateProvider"] = (["admin"], (b, m) => b.Admin.UpdateProviderAsync(new UpdateProviderRequest { Id = _someId }, m).ResponseAsync),
        ["GetUsage"] = (["workload", "owner", "security", "admin"], (b, m) => new UsageService.UsageServiceClient(b.Channel).GetUsageAsync(new GetUsageRequest { OwnerId = _someId }, m).ResponseAsync),
        ["DelegateCredential"] = (["workload", "owner"], (b, m) => b.Credentials.DelegateCredentialAsync(new DelegateCredentialRequest { ParentId = _someId }, m).ResponseAsync),
        ["RequestToolApproval"] = (["workload", "owner"], (b, m) => b.ApprovalClient.RequestToolApprovalAsync(new RequestToolApprovalRequest { WorkloadId = _someId, PurposeId = _someId, Tools = { "x" }, Justification = "x" }, m).ResponseAsync),
        ["ApproveToolUse"] = (["security"], (b, m) => b.ApprovalClient.ApproveToolUseAsync(new ApproveToolUseRequest { Id = _someId, Note = "x" }, m).ResponseAsync),
        ["DenyToolUse"] = (["security"], (b, m) => b.ApprovalClient.DenyToolUseAsync(new DenyToolUseRequest { Id = _someId, Note = "x" }, m).ResponseAsync),
        ["ListApprovals"] = (["workload", "owner", "security", "admin"], (b, m) => b.ApprovalClient.ListApprovalsAsync(new ListApprovalsRequest(), m).ResponseAsync),
        ["RetirePurpose"] = (["admin"], (b, m) => b.Admin.RetirePurposeAsync(new RetirePurposeRequest { Id = _someId, Reason = "x" }, m).ResponseAsync),
        ["DeregisterWorkload"] = (["admin"], (b, m) => b.Admin.DeregisterWorkloadAsync(new DeregisterWorkloadRequest { Id = _someId, Reason = "x" }, m).ResponseAsync),
        ["SyncOwnerDirectory"] = (["admin"], (b, m) => b.Admin.SyncOwnerDirectoryAsync(new SyncOwnerDirectoryRequest(), m).ResponseAsync),
        ["CreateAccessToken"] = (["admin"], (b, m) => b.Admin.CreateAccessTokenAsync(new CreateAccessTokenRequest(), m).ResponseAsync),
        ["AddProviderKeys"] = (["admin"], (b, m) => b.Admin.AddProviderKeysAsync(new AddProviderKeysRequest { ProviderId = _someId }, m).ResponseAsync),
        ["ListShadowKeys"] = (["security", "admin"], (b, m) => b.Admin.ListShadowKeysAsync(new ListShadowKeysRequest(), m).ResponseAsync),
    };

    [Fact]
    public void Matrix_CoversEveryRpcOfTheContract()
    {
        var contract = new[] { CredentialService.Descriptor, RevocationService.Descriptor, AuditService.Descriptor, AdminService.Descriptor, IdentityService.Descriptor, UsageService.Descriptor, ApprovalService.Descriptor }
            .SelectMany(s => s.Methods).Select(m => m.Name).Order();
        Assert.Equal(contract, Calls.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Rpcs))]
    public async Task EveryRole_OnlyAllowedRolesPassAuthorization(string rpc)
    {
        var world = await broker.SeedAsync();
        var tokens = new Dictionary<string, string>
        {
            ["workload"] = world.WorkloadToken,
            ["owner"] = world.OwnerToken,
            ["security"] = world.SecurityToken,
            ["admin"] = world.AdminToken,
        };
        var (allowed, call) = Calls[rpc];
        foreach (var (role, token) in tokens)
        {
            var code = await CodeOf(call(broker, BrokerFixture.Bearer(token)));
            if (allowed.Contains(role))
            {
                Assert.True(code is not (StatusCode.PermissionDenied or StatusCode.Unauthenticated), $"{rpc} as {role}: expected to pass authorization, got {code}");
            }
            else
            {
                Assert.True(code == StatusCode.PermissionDenied, $"{rpc} as {role}: expected PermissionDenied, got {code}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rpcs))]
    public async Task EveryRpc_WithoutValidCredentials_IsUnauthenticatedAndAudited(string rpc)
    {
        var (_, call) = Calls[rpc];
        var deniedBefore = await broker.CountAsync("audit_events", "action = 'auth.denied'");
        var malformed = "cbt_" + new string('A', 38);

        foreach (var auth in new[] { new Metadata(), BrokerFixture.Bearer("garbage"), BrokerFixture.Bearer(malformed), new Metadata { { "authorization", "Basic dXNlcjpwYXNz" } } })
        {
            Assert.Equal(StatusCode.Unauthenticated, await CodeOf(call(broker, auth)));
        }

        Assert.Equal(deniedBefore + 4, await broker.CountAsync("audit_events", "action = 'auth.denied'"));
        Assert.Equal(0, await broker.CountAsync("audit_events", $"reason LIKE '%{malformed}%' OR metadata::text LIKE '%{malformed}%'"));
    }

    [Fact]
    public async Task AccessToken_Expired_IsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        var shortLived = await broker.Admin.CreateAccessTokenAsync(new CreateAccessTokenRequest
        {
            Role = Role.Security,
            Ttl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(5)),
        }, broker.AdminAuth);
        await broker.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), BrokerFixture.Bearer(shortLived.Token));

        broker.Time.Advance(TimeSpan.FromMinutes(6));

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, broker.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), BrokerFixture.Bearer(shortLived.Token)), "expired");
        Assert.NotNull(world);
    }

    [Fact]
    public async Task OwnerToken_OfDeactivatedOwner_IsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        await broker.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = world.Owner.Id, Reason = "left the company" }, broker.AdminAuth);

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated,
            broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest(), BrokerFixture.Bearer(world.OwnerToken)), "deactivated");
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated,
            broker.Credentials.IssueCredentialAsync(new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name }, BrokerFixture.Bearer(world.WorkloadToken)), "deactivated");
    }

    [Fact]
    public async Task Tokens_AuthenticatedBefore_AreRefusedOnTheVeryNextCallAfterTheOwnerIsDeactivated()
    {
        // Recently authenticated tokens are cached; deactivation must not wait for anything to expire.
        var world = await broker.SeedAsync();
        await broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest(), BrokerFixture.Bearer(world.OwnerToken));
        await broker.Credentials.IssueCredentialAsync(new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name }, BrokerFixture.Bearer(world.WorkloadToken));

        await broker.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = world.Owner.Id, Reason = "left the company" }, broker.AdminAuth);

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated,
            broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest(), BrokerFixture.Bearer(world.OwnerToken)), "deactivated");
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated,
            broker.Credentials.IssueCredentialAsync(new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name }, BrokerFixture.Bearer(world.WorkloadToken)), "deactivated");
    }

    private static async Task<StatusCode> CodeOf(Task call)
    {
        try
        {
            await call;
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    [Fact]
    public async Task WhoAmI_ReportsRoleAndBindingOfEachToken()
    {
        var world = await broker.SeedAsync();
        var identity = new IdentityService.IdentityServiceClient(broker.Channel);

        var workload = await identity.WhoAmIAsync(new WhoAmIRequest(), BrokerFixture.Bearer(world.WorkloadToken));
        var owner = await identity.WhoAmIAsync(new WhoAmIRequest(), BrokerFixture.Bearer(world.OwnerToken));

        Assert.Equal(Role.Workload, workload.Role);
        Assert.Equal(world.Workload.Id, workload.WorkloadId);
        Assert.Equal(world.Owner.Id, workload.OwnerId);
        Assert.Equal($"workload:{world.Workload.Identity}", workload.Actor);
        Assert.Equal(Role.Owner, owner.Role);
        Assert.Equal(world.Owner.Id, owner.OwnerId);
        Assert.Equal(string.Empty, owner.WorkloadId);
    }
}
