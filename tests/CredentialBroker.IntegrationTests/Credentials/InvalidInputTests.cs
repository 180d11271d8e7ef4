using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Credentials;

/// <summary>Bad input gets the right status code, a message naming the problem, and writes nothing.</summary>
public sealed class InvalidInputTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static readonly string _huge = new('x', 5000);

    private async Task AssertRefusedWithoutWrites<T>(StatusCode code, Func<Task<T>> call, string messagePart)
    {
        await broker.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), broker.AdminAuth);
        var before = await broker.SnapshotAsync();
        await RpcAssert.FailsAsync(code, call, messagePart);
        Assert.Equal(before, await broker.SnapshotAsync());
    }

    [Fact]
    public async Task Issue_BadFields_AreRejectedWithFieldNames()
    {
        var world = await broker.SeedAsync();
        var auth = BrokerFixture.Bearer(world.WorkloadToken);
        Task<IssueCredentialResponse> Issue(Action<IssueCredentialRequest> change)
        {
            var request = new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name };
            change(request);
            return broker.Credentials.IssueCredentialAsync(request, auth).ResponseAsync;
        }

        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Issue(r => r.Purpose = ""), "purpose: is required");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Issue(r => r.Purpose = _huge), "purpose");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Issue(r => r.Provider = ""), "provider: is required");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Issue(r => r.Ttl = new Duration { Seconds = -60 }), "ttl: must be positive");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Issue(r => r.Ttl = new Duration { Seconds = 0 }), "ttl");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Issue(r => r.Ttl = new Duration { Seconds = long.MaxValue / 2 }), "ttl");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Issue(r => r.Labels.Add("Bad Key!", "v")), "labels");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Issue(r => r.Labels.Add("k", _huge)), "labels");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Issue(r => r.Models.Add("")), "models[0]");
        await AssertRefusedWithoutWrites(StatusCode.NotFound, () => Issue(r => r.Purpose = "no-such-purpose"), "no-such-purpose");
        await AssertRefusedWithoutWrites(StatusCode.NotFound, () => Issue(r => r.Provider = "no-such-provider"), "no-such-provider");
        await AssertRefusedWithoutWrites(StatusCode.PermissionDenied, () => Issue(r => r.Models.Add("claude-3-opus")), "claude-3-opus");
    }

    [Fact]
    public async Task Issue_InvalidArgument_CarriesBadRequestFieldViolations()
    {
        var world = await broker.SeedAsync();
        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            broker.Credentials.IssueCredentialAsync(new IssueCredentialRequest(), BrokerFixture.Bearer(world.WorkloadToken)));

        var details = ex.Trailers.GetValueBytes("grpc-status-details-bin");
        Assert.NotNull(details);
        var status = Google.Rpc.Status.Parser.ParseFrom(details);
        var badRequest = status.Details.Single().Unpack<Google.Rpc.BadRequest>();
        Assert.Equal(["purpose", "provider"], badRequest.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task CredentialRpcs_MalformedOrUnknownIds_AreRejected()
    {
        var world = await broker.SeedAsync();
        var auth = BrokerFixture.Bearer(world.OwnerToken);

        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = "not-a-uuid" }, auth).ResponseAsync, "id");
        await AssertRefusedWithoutWrites(StatusCode.NotFound, () => broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = Guid.NewGuid().ToString() }, auth).ResponseAsync, "does not exist");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = Guid.NewGuid().ToString() }, auth).ResponseAsync, "reason: is required");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = "" }, auth).ResponseAsync, "id: is required");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest { PageSize = 100_000 }, auth).ResponseAsync, "page_size");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest { PageToken = "!!garbage!!" }, auth).ResponseAsync, "page_token");
    }

    [Fact]
    public async Task RevokeMatching_MalformedSelector_IsRejectedAndWritesNoWatermark()
    {
        var world = await broker.SeedAsync();
        var auth = BrokerFixture.Bearer(world.SecurityToken);
        Task<RevokeMatchingResponse> Revoke(Selector? selector, string reason = "incident") =>
            broker.Revocations.RevokeMatchingAsync(new RevokeMatchingRequest { Selector = selector, Reason = reason }, auth).ResponseAsync;

        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Revoke(null), "selector");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Revoke(new Selector()), "selector: is empty");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Revoke(new Selector { OwnerId = "owner-1" }), "selector.owner_id");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Revoke(new Selector { IssuedBefore = Timestamp.FromDateTimeOffset(broker.Time.GetUtcNow().AddDays(1)) }), "future");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => Revoke(new Selector { OwnerId = world.Owner.Id }, ""), "reason");
        await AssertRefusedWithoutWrites(StatusCode.NotFound, () => Revoke(new Selector { OwnerId = Guid.NewGuid().ToString() }), "does not exist");
        await AssertRefusedWithoutWrites(StatusCode.NotFound, () => Revoke(new Selector { Provider = "no-such-provider" }), "no-such-provider");
    }

    [Fact]
    public async Task Admin_BadRegistrations_AreRejectedAndWriteNothing()
    {
        var world = await broker.SeedAsync();
        var admin = broker.AdminAuth;
        CreatePurposeRequest Purpose(Action<CreatePurposeRequest> change)
        {
            var r = new CreatePurposeRequest
            {
                Name = "p-" + Guid.NewGuid().ToString("N")[..8],
                Description = "d",
                OwnerId = world.Owner.Id,
                RiskTier = V1.RiskTier.Sandbox,
                DefaultTtl = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
                MaxTtl = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
                AllowedProviders = { world.Provider.Name },
            };
            change(r);
            return r;
        }

        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.CreateOwnerAsync(new CreateOwnerRequest { Name = "", Email = "a@b.c" }, admin).ResponseAsync, "name: is required");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.CreateOwnerAsync(new CreateOwnerRequest { Name = "ok", Email = "nope" }, admin).ResponseAsync, "email");
        await AssertRefusedWithoutWrites(StatusCode.AlreadyExists, () => broker.Admin.CreateOwnerAsync(new CreateOwnerRequest { Name = world.Owner.Name, Email = "a@b.c" }, admin).ResponseAsync, "already exists");
        await AssertRefusedWithoutWrites(StatusCode.AlreadyExists, () => broker.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = world.Workload.Identity, OwnerId = world.Owner.Id }, admin).ResponseAsync, "already registered");
        await AssertRefusedWithoutWrites(StatusCode.NotFound, () => broker.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = "spiffe://x/y", OwnerId = Guid.NewGuid().ToString() }, admin).ResponseAsync, "does not exist");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.RegisterProviderAsync(new RegisterProviderRequest { Name = "p", Kind = "gopher", BaseUrl = "ftp://x" }, admin).ResponseAsync, "kind");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.CreatePurposeAsync(Purpose(r => r.DefaultTtl = Duration.FromTimeSpan(TimeSpan.FromHours(2))), admin).ResponseAsync, "default_ttl");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.CreatePurposeAsync(Purpose(r => r.MaxTtl = Duration.FromTimeSpan(TimeSpan.FromDays(400))), admin).ResponseAsync, "max_ttl");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.CreatePurposeAsync(Purpose(r => r.RiskTier = V1.RiskTier.Unspecified), admin).ResponseAsync, "risk_tier");
        await AssertRefusedWithoutWrites(StatusCode.NotFound, () => broker.Admin.CreatePurposeAsync(Purpose(r => r.AllowedProviders.Add("ghost")), admin).ResponseAsync, "ghost");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.UpdatePurposeAsync(new UpdatePurposeRequest { Id = world.Purpose.Id, MaxTtl = Duration.FromTimeSpan(TimeSpan.FromMinutes(2)), UpdateMask = new FieldMask { Paths = { "max_ttl" } } }, admin).ResponseAsync, "default_ttl");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.UpdatePurposeAsync(new UpdatePurposeRequest { Id = world.Purpose.Id, UpdateMask = new FieldMask { Paths = { "name" } } }, admin).ResponseAsync, "cannot be updated");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Workload }, admin).ResponseAsync, "workload_id");
        await AssertRefusedWithoutWrites(StatusCode.InvalidArgument, () => broker.Admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Security, Ttl = Duration.FromTimeSpan(TimeSpan.FromDays(1000)) }, admin).ResponseAsync, "ttl");
    }
}
