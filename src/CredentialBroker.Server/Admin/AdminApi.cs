using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Admin;

/// <summary>gRPC <c>AdminService</c> (admin role only, enforced by <see cref="RpcPermissions"/>).</summary>
internal sealed partial class AdminApi(
    BrokerDbContext db,
    AuditLog audit,
    PurposeValidator purposes,
    Providers.RootKeyProtector rootKeys,
    Offboarding offboarding,
    Governance.OwnerDirectorySync directorySync,
    Providers.RootKeySource keySource,
    ChangeFeed changes,
    IOptions<BrokerOptions> options,
    TimeProvider time) : AdminService.AdminServiceBase
{
    public override async Task<V1.Owner> CreateOwner(CreateOwnerRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var name = v.Name("name", request.Name);
        var email = v.Required("email", request.Email, 254);
        if (email.Length > 0 && (!email.Contains('@', StringComparison.Ordinal) || email.StartsWith('@') || email.EndsWith('@')))
        {
            v.Add("email", "is not an email address");
        }

        var limits = GatewayMapper.Limits(v, "limits", request.Limits);
        v.ThrowIfInvalid();
        var owner = new Identity.Owner { Id = Guid.CreateVersion7(), Name = name, Email = email, Active = true, CreatedAt = time.GetDbNow(), Limits = limits };
        db.Owners.Add(owner);
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("owner.created", "owner", owner.Id.ToString(), null, new Dictionary<string, string> { ["name"] = name }));
        await SaveUniqueAsync($"An owner named '{name}' already exists.", context);
        return AdminMapper.ToProto(owner);
    }

    public override async Task<V1.Owner> SetOwnerLimits(SetOwnerLimitsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("owner_id", request.OwnerId);
        var limits = GatewayMapper.Limits(v, "limits", request.Limits);
        v.ThrowIfInvalid();
        var owner = await db.Owners.FirstOrDefaultAsync(o => o.Id == id, context.CancellationToken);
        if (owner is null)
        {
            RpcErrors.NotFound($"Owner {id} does not exist.");
        }

        owner.Limits = limits;
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("owner.limits_set", "owner", owner.Id.ToString(), null, new Dictionary<string, string>
        {
            ["limits"] = System.Text.Json.JsonSerializer.Serialize(limits, PolicyJson.Options),
        }));
        await db.SaveChangesAsync(context.CancellationToken);
        audit.Committed();
        await changes.PublishAsync(ChangeKind.Owner, owner.Id, context.CancellationToken);
        return AdminMapper.ToProto(owner);
    }

    public override async Task<V1.Owner> DeactivateOwner(DeactivateOwnerRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        var reason = v.Required("reason", request.Reason, 512);
        v.ThrowIfInvalid();
        if (!await db.Owners.AnyAsync(o => o.Id == id, context.CancellationToken))
        {
            RpcErrors.NotFound($"Owner {id} does not exist.");
        }

        // Offboarding takes the owner's credentials with it, at once, through a watermark.
        await offboarding.DeactivateOwnerAsync(id, reason, new OffboardingActor(AuthInterceptor.GetCaller(context), context), context.CancellationToken);
        return AdminMapper.ToProto(await db.Owners.AsNoTracking().FirstAsync(o => o.Id == id, context.CancellationToken));
    }

    public override async Task<ListOwnersResponse> ListOwners(ListOwnersRequest request, ServerCallContext context)
    {
        var query = db.Owners.AsNoTracking();
        if (!request.IncludeInactive)
        {
            query = query.Where(o => o.Active);
        }

        var (items, next) = await query.PageByAsync(o => o.Name, new RequestValidator(), request.PageSize, request.PageToken, context.CancellationToken);
        return new ListOwnersResponse { Owners = { items.Select(AdminMapper.ToProto) }, NextPageToken = next };
    }

    public override async Task<V1.Workload> RegisterWorkload(RegisterWorkloadRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var identity = v.Required("identity", request.Identity, 512);
        var ownerId = v.Id("owner_id", request.OwnerId);
        var description = v.MaxLength("description", request.Description, 1000);
        v.ThrowIfInvalid();
        await RequireActiveOwnerAsync(ownerId, "owner_id", context);

        var workload = new Identity.Workload { Id = Guid.CreateVersion7(), Identity = identity, OwnerId = ownerId, Description = description, CreatedAt = time.GetDbNow() };
        db.Workloads.Add(workload);
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("workload.registered", "workload", workload.Id.ToString(), null, new Dictionary<string, string> { ["identity"] = identity }));
        await SaveUniqueAsync($"A workload with identity '{RequestValidator.Clip(identity)}' is already registered.", context);
        return AdminMapper.ToProto(workload);
    }

    public override async Task<ListWorkloadsResponse> ListWorkloads(ListWorkloadsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var ownerId = v.OptionalId("owner_id", request.OwnerId);
        var query = db.Workloads.AsNoTracking();
        if (ownerId is { } o)
        {
            query = query.Where(w => w.OwnerId == o);
        }

        var (items, next) = await query.PageByAsync(w => w.Identity, v, request.PageSize, request.PageToken, context.CancellationToken);
        return new ListWorkloadsResponse { Workloads = { items.Select(AdminMapper.ToProto) }, NextPageToken = next };
    }

    public override async Task<V1.Purpose> CreatePurpose(CreatePurposeRequest request, ServerCallContext context)
    {
        var now = time.GetDbNow();
        var purpose = await purposes.ValidateNewAsync(request, now, context.CancellationToken);
        await RequireActiveOwnerAsync(purpose.OwnerId, "owner_id", context);
        db.Purposes.Add(purpose);
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("purpose.created", "purpose", purpose.Id.ToString(), null, AdminMapper.Describe(purpose)));
        await SaveUniqueAsync($"A purpose named '{purpose.Name}' already exists.", context);
        return AdminMapper.ToProto(purpose);
    }

    public override async Task<V1.Purpose> UpdatePurpose(UpdatePurposeRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        v.ThrowIfInvalid();
        var purpose = await db.Purposes.FirstOrDefaultAsync(p => p.Id == id, context.CancellationToken);
        if (purpose is null)
        {
            RpcErrors.NotFound($"Purpose {id} does not exist.");
        }

        await purposes.ApplyUpdateAsync(purpose, request, time.GetDbNow(), context.CancellationToken);
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("purpose.updated", "purpose", purpose.Id.ToString(), null, AdminMapper.Describe(purpose)));
        await db.SaveChangesAsync(context.CancellationToken);
        audit.Committed();
        await changes.PublishAsync(ChangeKind.Purpose, purpose.Id, context.CancellationToken);
        return AdminMapper.ToProto(purpose);
    }

    public override async Task<ListPurposesResponse> ListPurposes(ListPurposesRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var ownerId = v.OptionalId("owner_id", request.OwnerId);
        var query = db.Purposes.AsNoTracking();
        if (ownerId is { } o)
        {
            query = query.Where(p => p.OwnerId == o);
        }

        var (items, next) = await query.PageByAsync(p => p.Name, v, request.PageSize, request.PageToken, context.CancellationToken);
        return new ListPurposesResponse { Purposes = { items.Select(AdminMapper.ToProto) }, NextPageToken = next };
    }

    private async Task RequireActiveOwnerAsync(Guid ownerId, string field, ServerCallContext context)
    {
        var active = await db.Owners.Where(o => o.Id == ownerId).Select(o => (bool?)o.Active).FirstOrDefaultAsync(context.CancellationToken);
        if (active is null)
        {
            RpcErrors.NotFound($"{field}: owner {ownerId} does not exist.");
        }

        if (active == false)
        {
            RpcErrors.FailedPrecondition($"{field}: owner {ownerId} is deactivated.");
        }
    }

    /// <summary>Saves, turning a unique-key violation into ALREADY_EXISTS (nothing is written).</summary>
    private async Task SaveUniqueAsync(string conflictMessage, ServerCallContext context)
    {
        try
        {
            await db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            RpcErrors.AlreadyExists(conflictMessage);
        }

        audit.Committed();
    }
}
