using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Admin;

/// <summary>Grants, providers and access tokens.</summary>
internal sealed partial class AdminApi
{
    public override async Task<V1.Grant> GrantPurpose(GrantPurposeRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var workloadId = v.Id("workload_id", request.WorkloadId);
        var purposeId = v.Id("purpose_id", request.PurposeId);
        v.ThrowIfInvalid();
        var deregistered = await db.Workloads.Where(w => w.Id == workloadId).Select(w => (bool?)(w.DeregisteredAt != null)).FirstOrDefaultAsync(context.CancellationToken);
        if (deregistered is null)
        {
            RpcErrors.NotFound($"workload_id: workload {workloadId} does not exist.");
        }

        var retired = await db.Purposes.Where(p => p.Id == purposeId).Select(p => (bool?)(p.RetiredAt != null)).FirstOrDefaultAsync(context.CancellationToken);
        if (retired is null)
        {
            RpcErrors.NotFound($"purpose_id: purpose {purposeId} does not exist.");
        }

        if (deregistered == true)
        {
            RpcErrors.FailedPrecondition($"workload_id: workload {workloadId} is deregistered; it cannot be granted purposes.");
        }

        if (retired == true)
        {
            RpcErrors.FailedPrecondition($"purpose_id: purpose {purposeId} is retired; it cannot be granted.");
        }

        var existing = await db.Grants.AsNoTracking().FirstOrDefaultAsync(g => g.WorkloadId == workloadId && g.PurposeId == purposeId, context.CancellationToken);
        if (existing is not null)
        {
            return AdminMapper.ToProto(existing);
        }

        var grant = new Policy.Grant { Id = Guid.CreateVersion7(), WorkloadId = workloadId, PurposeId = purposeId, CreatedAt = time.GetDbNow() };
        db.Grants.Add(grant);
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("grant.created", "grant", grant.Id.ToString(), null, new Dictionary<string, string>
        {
            ["workload_id"] = workloadId.ToString(),
            ["purpose_id"] = purposeId.ToString(),
        }));
        await SaveUniqueAsync("The workload is already granted this purpose.", context);
        return AdminMapper.ToProto(grant);
    }

    public override async Task<ListGrantsResponse> ListGrants(ListGrantsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var workloadId = v.OptionalId("workload_id", request.WorkloadId);
        var purposeId = v.OptionalId("purpose_id", request.PurposeId);
        var query = db.Grants.AsNoTracking();
        if (workloadId is { } w)
        {
            query = query.Where(g => g.WorkloadId == w);
        }

        if (purposeId is { } p)
        {
            query = query.Where(g => g.PurposeId == p);
        }

        // Grant ids are time-ordered UUIDs, so their text order is creation order.
        var (items, next) = await query.PageByAsync(g => g.Id.ToString(), v, request.PageSize, request.PageToken, context.CancellationToken);
        return new ListGrantsResponse { Grants = { items.Select(AdminMapper.ToProto) }, NextPageToken = next };
    }

    public override async Task<V1.Provider> RegisterProvider(RegisterProviderRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var name = v.Name("name", request.Name, 64);
        var kind = v.Required("kind", request.Kind, 32);
        if (kind.Length > 0 && !Providers.Provider.Kinds.Contains(kind))
        {
            v.Add("kind", $"must be one of {string.Join(", ", Providers.Provider.Kinds)}");
        }

        var baseUrl = BaseUrl(v, request.BaseUrl);
        var keys = ProviderKeyFields.Validate(v, keySource, request.RootKey, request.RootKeyRef, request.AdminKey, request.AdminKeyRef, request.ProjectId);
        var prices = GatewayMapper.Prices(v, "prices", request.Prices);
        v.ThrowIfInvalid();
        await keys.CheckUsableAsync(keySource, rootKeys.IsConfigured, context.CancellationToken);

        var provider = new Providers.Provider
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Kind = kind,
            BaseUrl = baseUrl.TrimEnd('/'),
            CreatedAt = time.GetDbNow(),
            Prices = prices,
        };
        var details = new Dictionary<string, string>
        {
            ["name"] = name,
            ["kind"] = kind,
            ["base_url"] = provider.BaseUrl,
            ["root_key"] = "none",
            ["prices"] = System.Text.Json.JsonSerializer.Serialize(prices, PolicyJson.Options),
        };
        keys.ApplyTo(provider, rootKeys, details);
        db.Providers.Add(provider);
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("provider.registered", "provider", provider.Id.ToString(), null, details));
        await SaveUniqueAsync($"A provider named '{name}' already exists.", context);
        return AdminMapper.ToProto(provider);
    }

    public override async Task<V1.Provider> UpdateProvider(UpdateProviderRequest request, ServerCallContext context)
    {
        string[] updatable = ["base_url", "root_key", "prices", "root_key_ref", "admin_key", "admin_key_ref", "project_id"];
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        var paths = request.UpdateMask?.Paths ?? [];
        if (paths.Count == 0)
        {
            v.Add("update_mask", $"is required; name the fields to change ({string.Join(", ", updatable)})");
        }

        foreach (var path in paths.Where(p => !updatable.Contains(p)))
        {
            v.Add("update_mask", $"'{RequestValidator.Clip(path)}' cannot be updated; updatable: {string.Join(", ", updatable)}");
        }

        var baseUrl = paths.Contains("base_url") ? BaseUrl(v, request.BaseUrl) : null;
        string? Masked(string path, string value) => paths.Contains(path) ? v.Required(path, value, 4096) : null;
        var keys = ProviderKeyFields.Validate(v, keySource, Masked("root_key", request.RootKey), Masked("root_key_ref", request.RootKeyRef),
            Masked("admin_key", request.AdminKey), Masked("admin_key_ref", request.AdminKeyRef), paths.Contains("project_id") ? request.ProjectId : null);
        var prices = paths.Contains("prices") ? GatewayMapper.Prices(v, "prices", request.Prices) : null;
        v.ThrowIfInvalid();
        await keys.CheckUsableAsync(keySource, rootKeys.IsConfigured, context.CancellationToken);

        var provider = await db.Providers.FirstOrDefaultAsync(p => p.Id == id, context.CancellationToken);
        if (provider is null)
        {
            RpcErrors.NotFound($"Provider {id} does not exist.");
        }

        var details = new Dictionary<string, string> { ["name"] = provider.Name, ["changed"] = string.Join(',', paths) };
        if (baseUrl is not null)
        {
            provider.BaseUrl = baseUrl.TrimEnd('/');
            details["base_url"] = provider.BaseUrl;
        }

        keys.ApplyTo(provider, rootKeys, details);

        if (prices is not null)
        {
            provider.Prices = prices;
            details["prices"] = System.Text.Json.JsonSerializer.Serialize(prices, PolicyJson.Options);
        }

        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("provider.updated", "provider", provider.Id.ToString(), null, details));
        await db.SaveChangesAsync(context.CancellationToken);
        audit.Committed();
        await changes.PublishAsync(ChangeKind.Provider, provider.Id, context.CancellationToken);
        return AdminMapper.ToProto(provider);
    }

    private static string BaseUrl(RequestValidator v, string value)
    {
        var baseUrl = v.Required("base_url", value, 2048);
        if (baseUrl.Length > 0 && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.UserInfo)))
        {
            v.Add("base_url", "must be an absolute http(s) URL without credentials in it");
        }

        return baseUrl;
    }

    public override async Task<ListProvidersResponse> ListProviders(ListProvidersRequest request, ServerCallContext context)
    {
        var (items, next) = await db.Providers.AsNoTracking().PageByAsync(p => p.Name, new RequestValidator(), request.PageSize, request.PageToken, context.CancellationToken);
        var ids = items.Select(p => p.Id).ToList();
        var pools = await db.PoolKeys.Where(k => ids.Contains(k.ProviderId) && k.Status == Delivery.PoolKey.Available)
            .GroupBy(k => k.ProviderId).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Count, context.CancellationToken);
        return new ListProvidersResponse { Providers = { items.Select(p => AdminMapper.ToProto(p, pools.GetValueOrDefault(p.Id))) }, NextPageToken = next };
    }

    public override async Task<CreateAccessTokenResponse> CreateAccessToken(CreateAccessTokenRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var role = BrokerRoles.FromProto(request.Role);
        if (role is null)
        {
            v.Add("role", "is required: ROLE_WORKLOAD, ROLE_OWNER, ROLE_SECURITY or ROLE_ADMIN");
        }

        var ownerId = v.OptionalId("owner_id", request.OwnerId);
        var workloadId = v.OptionalId("workload_id", request.WorkloadId);
        var ttl = v.Duration("ttl", request.Ttl, TimeSpan.FromMinutes(1), options.Value.MaxAccessTokenTtl) ?? TimeSpan.FromHours(24);
        var description = v.MaxLength("description", request.Description, 500);
        if (role == BrokerRole.Workload && workloadId is null && string.IsNullOrEmpty(request.WorkloadId))
        {
            v.Add("workload_id", "is required for a workload token");
        }

        if (role != BrokerRole.Workload && !string.IsNullOrEmpty(request.WorkloadId))
        {
            v.Add("workload_id", "is allowed only for a workload token");
        }

        if (role == BrokerRole.Owner && ownerId is null && string.IsNullOrEmpty(request.OwnerId))
        {
            v.Add("owner_id", "is required for an owner token");
        }

        v.ThrowIfInvalid();
        if (workloadId is { } wl)
        {
            var workload = await db.Workloads.AsNoTracking().Where(w => w.Id == wl).Select(w => new { w.OwnerId, w.DeregisteredAt }).FirstOrDefaultAsync(context.CancellationToken);
            if (workload is null)
            {
                RpcErrors.NotFound($"workload_id: workload {wl} does not exist.");
            }

            if (workload.DeregisteredAt is not null)
            {
                RpcErrors.FailedPrecondition($"workload_id: workload {wl} is deregistered; it gets no new tokens.");
            }

            ownerId ??= workload.OwnerId;
        }

        if (ownerId is { } o)
        {
            await RequireActiveOwnerAsync(o, "owner_id", context);
        }

        var now = time.GetDbNow();
        var token = SecretKey.Generate(SecretKey.AccessTokenKind);
        var row = new AccessToken
        {
            Id = Guid.CreateVersion7(now),
            TokenHash = SecretKey.Hash(token),
            Prefix = SecretKey.PublicPrefix(token),
            Role = role!.Value,
            OwnerId = ownerId,
            WorkloadId = workloadId,
            Description = description,
            CreatedBy = AuthInterceptor.GetCaller(context).Actor,
            CreatedAt = now,
            ExpiresAt = now + ttl,
        };
        db.AccessTokens.Add(row);
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("access_token.created", "access_token", row.Id.ToString(), null, new Dictionary<string, string>
        {
            ["prefix"] = row.Prefix,
            ["role"] = BrokerRoles.ToDb(row.Role),
            ["expires_at"] = row.ExpiresAt.ToString("O"),
        }));
        await db.SaveChangesAsync(context.CancellationToken);
        audit.Committed();
        return new CreateAccessTokenResponse
        {
            Token = token,
            Id = row.Id.ToString(),
            ExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(row.ExpiresAt),
            Role = BrokerRoles.ToProto(row.Role),
        };
    }
}
