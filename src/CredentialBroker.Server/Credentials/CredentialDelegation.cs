using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Purpose = CredentialBroker.Server.Policy.Purpose;

namespace CredentialBroker.Server.Credentials;

/// <summary>
/// DelegateCredential: derives a child credential (its own key) from an active parent. Everything
/// about the child is within the parent: scopes, lifetime, budgets, depth + 1 up to the purpose's
/// limit. Refusals name the limit and write nothing but their audit event.
/// </summary>
internal sealed class CredentialDelegation(BrokerDbContext db, NpgsqlDataSource dataSource, AuditLog audit, AccessGuard guard, TimeZoneInfo budgetZone, TimeProvider time)
{
    private const string Refused = "credential.delegate.denied";

    public async Task<(Credential Child, string Secret, string PurposeName)> DelegateAsync(DelegateCredentialRequest request, ServerCallContext context)
    {
        var caller = AuthInterceptor.GetCaller(context);
        var ct = context.CancellationToken;
        var v = new RequestValidator();
        var parentId = v.Id("parent_id", request.ParentId);
        var identity = v.MaxLength("workload_identity", request.WorkloadIdentity, 512);
        var ttl = v.Duration("ttl", request.Ttl, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        var budgets = GatewayMapper.Budgets(v, "budgets", request.Budgets);
        var labels = v.Labels("labels", request.Labels);
        var description = v.MaxLength("description", request.Description, 512);
        var models = request.Models.Select(m => m.Trim()).Distinct().ToList();
        for (var i = 0; i < models.Count; i++)
        {
            if (models[i].Length is 0 or > 128 || (models[i].IndexOf('*') is >= 0 and var star && star != models[i].Length - 1))
            {
                v.Add($"models[{i}]", "must be a model name of 1-128 characters, optionally ending in '*' for a prefix");
            }
        }

        var endpoints = request.Endpoints.Select(e => e.Trim()).Distinct().ToList();
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (!GatewayEndpoints.TryParseName(endpoints[i], out _))
            {
                v.Add($"endpoints[{i}]", $"'{RequestValidator.Clip(endpoints[i])}' is not a gateway endpoint; use {string.Join(", ", GatewayEndpoints.Names)}");
            }
        }

        v.ThrowIfInvalid();

        var parent = await db.Credentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == parentId, ct);
        if (parent is null)
        {
            RpcErrors.NotFound($"Credential {parentId} does not exist.");
        }

        if (!AccessGuard.MayAccess(caller, parent.OwnerId, parent.WorkloadId))
        {
            throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                $"Credential {parent.Prefix} belongs to another {(caller.Role == BrokerRole.Workload ? "workload" : "owner")}; only its holder or owner may delegate it.", Refused, "credential", parent.Id.ToString());
        }

        var now = time.GetDbNow();
        var chain = await CredentialChain.LoadAsync(dataSource, parent.Id, ct);
        if (chain.FirstOrDefault(l => !l.IsActive(now)) is { } inactive)
        {
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                inactive.Id == parent.Id
                    ? $"Credential {parent.Prefix} is {inactive.StateText(now)}; only an active credential can be delegated."
                    : $"Credential {parent.Prefix} descends from {inactive.Prefix}, which is {inactive.StateText(now)}; it cannot be delegated.", Refused, "credential", parent.Id.ToString());
        }

        var purpose = await db.Purposes.AsNoTracking().FirstAsync(p => p.Id == parent.PurposeId, ct);
        var depth = parent.Depth + 1;
        if (depth > purpose.Gateway.MaxDelegationDepth)
        {
            throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                $"Purpose '{purpose.Name}' allows delegation to depth {purpose.Gateway.MaxDelegationDepth} (max_delegation_depth); a child of {parent.Prefix} would be depth {depth}.",
                Refused, "credential", parent.Id.ToString());
        }

        var workloadId = parent.WorkloadId;
        if (identity.Length > 0)
        {
            var workload = await db.Workloads.AsNoTracking().FirstOrDefaultAsync(w => w.Identity == identity, ct);
            if (workload is null)
            {
                RpcErrors.NotFound($"workload_identity: no workload '{RequestValidator.Clip(identity)}' is registered; an admin registers it (RegisterWorkload) under the same owner.");
            }

            if (workload.OwnerId != parent.OwnerId)
            {
                throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                    $"Workload '{RequestValidator.Clip(identity)}' belongs to another owner; a child credential may go only to a workload of the parent's owner.", Refused, "credential", parent.Id.ToString());
            }

            workloadId = workload.Id;
        }

        CheckScopes(v, parent, purpose, models, endpoints);
        var remaining = parent.ExpiresAt - now;
        if (ttl is { } asked && asked > remaining)
        {
            v.Add("ttl", $"is {RequestValidator.Format(asked)}, but the parent {parent.Prefix} expires in {RequestValidator.Format(TimeSpan.FromSeconds(Math.Floor(remaining.TotalSeconds)))}; a child may not outlive its parent");
        }

        v.ThrowIfInvalid();
        if (await new DelegationBudgets(dataSource, budgetZone).ProblemAsync(parent, chain, purpose, budgets, now, ct) is { } tooRich)
        {
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition, tooRich, Refused, "credential", parent.Id.ToString());
        }

        var expiresAt = now + CredentialLifetime.Ttl(purpose, ttl);
        expiresAt = expiresAt > parent.ExpiresAt ? parent.ExpiresAt : expiresAt;
        var maxExpiresAt = now + purpose.MaxLifetime > parent.MaxExpiresAt ? parent.MaxExpiresAt : now + purpose.MaxLifetime;
        var secret = SecretKey.Generate(SecretKey.CredentialKind);
        var child = new Credential
        {
            Id = Guid.CreateVersion7(now),
            Prefix = SecretKey.PublicPrefix(secret),
            SecretHash = SecretKey.Hash(secret),
            OwnerId = parent.OwnerId,
            PurposeId = parent.PurposeId,
            WorkloadId = workloadId,
            ProviderId = parent.ProviderId,
            ProviderName = parent.ProviderName,
            Models = DelegationScope.ChildModels(parent.Models, models),
            Endpoints = endpoints.Count > 0 ? endpoints : [.. parent.Endpoints],
            Labels = Labels.Serialize(labels),
            Status = CredentialState.Active,
            IssuedAt = now,
            ExpiresAt = expiresAt,
            MaxExpiresAt = maxExpiresAt < expiresAt ? expiresAt : maxExpiresAt,
            ParentId = parent.Id,
            RootId = parent.RootId ?? parent.Id,
            Depth = depth,
            Limits = new Gateway.Limits { Budgets = budgets },
            Description = description.Length > 0 ? description : null,
        };
        // Serialise with a concurrent revocation of the parent (or of an ancestor, whose cascade updates
        // the parent): either it commits first and the parent is seen revoked here, or its cascade
        // starts after this commit and sees the child.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var parentNow = await db.Database.SqlQuery<string>($"SELECT status AS \"Value\" FROM credentials WHERE id = {parent.Id} FOR SHARE").SingleAsync(ct);
        if (parentNow != "active")
        {
            await transaction.RollbackAsync(ct);
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                $"Credential {parent.Prefix} was revoked meanwhile; only an active credential can be delegated.", Refused, "credential", parent.Id.ToString());
        }

        db.Credentials.Add(child);
        audit.Record(db, caller, context, new AuditEntry("credential.delegated", "credential", child.Id.ToString(), description.Length > 0 ? description : null, new Dictionary<string, string>
        {
            ["prefix"] = child.Prefix,
            ["parent_id"] = parent.Id.ToString(),
            ["parent_prefix"] = parent.Prefix,
            ["depth"] = depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["workload_id"] = workloadId.ToString(),
            ["expires_at"] = expiresAt.ToString("O"),
        }));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        audit.Committed();
        return (child, secret, purpose.Name);
    }

    private static void CheckScopes(RequestValidator v, Credential parent, Purpose purpose, List<string> models, List<string> endpoints)
    {
        var parentModels = parent.Models.Count > 0 ? parent.Models : purpose.AllowedModels;
        for (var i = 0; i < models.Count; i++)
        {
            if (!DelegationScope.ModelWithin(parentModels, models[i]))
            {
                v.Add($"models[{i}]", $"'{RequestValidator.Clip(models[i])}' is not within the parent's models ({string.Join(", ", parentModels)}); a child may only narrow them");
            }
        }

        var parentEndpoints = parent.Endpoints.Count > 0 ? parent.Endpoints : purpose.Gateway.AllowedEndpoints;
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (!DelegationScope.EndpointWithin(parentEndpoints, endpoints[i]))
            {
                v.Add($"endpoints[{i}]", $"'{endpoints[i]}' is not within the parent's endpoints ({string.Join(", ", parentEndpoints)}); a child may only narrow them");
            }
        }
    }
}
