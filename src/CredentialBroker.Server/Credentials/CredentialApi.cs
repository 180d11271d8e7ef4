using System.Diagnostics;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using CredentialBroker.Server.Telemetry;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Credentials;

/// <summary>gRPC <c>CredentialService</c>: issue, renew, revoke, read and list credentials.</summary>
internal sealed class CredentialApi(
    BrokerDbContext db,
    AuditLog audit,
    AccessGuard guard,
    ChangeFeed changes,
    IOptions<BrokerOptions> options,
    TimeProvider time,
    BrokerMetrics metrics,
    Npgsql.NpgsqlDataSource dataSource,
    Delivery.DirectDelivery direct,
    Delivery.UpstreamKeyCleaner cleaner,
    IssuanceWriter issuance,
    IssuanceLookup lookup) : CredentialService.CredentialServiceBase
{
    private const int MaxModels = 32;

    public override Task<IssueCredentialResponse> IssueCredential(IssueCredentialRequest request, ServerCallContext context) =>
        IssueAsync(request, context, fresh: false);

    private async Task<IssueCredentialResponse> IssueAsync(IssueCredentialRequest request, ServerCallContext context, bool fresh)
    {
        var started = Stopwatch.GetTimestamp();
        var caller = AuthInterceptor.GetCaller(context);
        var v = new RequestValidator();
        var purposeName = v.Name("purpose", request.Purpose);
        var providerName = v.Name("provider", request.Provider, 64);
        var ttl = v.Duration("ttl", request.Ttl, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        var models = ValidateModels(v, request.Models);
        var labels = v.Labels("labels", request.Labels);
        v.ThrowIfInvalid();

        // Facts from memory when this purpose and provider issued before; the write checks them again.
        var found = (fresh ? null : lookup.Cached(purposeName, providerName))
            ?? await lookup.FindAsync(db, purposeName, caller.WorkloadId!.Value, providerName, context.CancellationToken);

        const string refused = "credential.issue.denied";
        if (found is null)
        {
            throw await guard.DenyAsync(context, StatusCode.NotFound, $"Purpose '{purposeName}' does not exist.", refused, "purpose", purposeName);
        }

        var purpose = found.Purpose;
        if (found.WorkloadDeregistered)
        {
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                "This workload is deregistered; it can no longer be issued credentials. An admin must register a new workload.", refused, "workload", caller.WorkloadId.ToString());
        }

        if (purpose.RetiredAt is not null)
        {
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                $"Purpose '{purposeName}' is retired ({purpose.RetirementReason}); no credentials are issued for it. Use another purpose.", refused, "purpose", purpose.Id.ToString());
        }

        if (!found.Granted)
        {
            throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                $"This workload is not granted purpose '{purposeName}'; an admin must grant it (GrantPurpose).", refused, "purpose", purpose.Id.ToString());
        }

        if (!found.OwnerActive)
        {
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                $"Purpose '{purposeName}' belongs to a deactivated owner; no credentials are issued for it.", refused, "purpose", purpose.Id.ToString());
        }

        if (found.ProviderId is null)
        {
            throw await guard.DenyAsync(context, StatusCode.NotFound, $"Provider '{providerName}' does not exist.", refused, "provider", providerName);
        }

        if (!purpose.AllowedProviders.Contains(providerName))
        {
            throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                $"Purpose '{purposeName}' does not allow provider '{providerName}' (allowed: {string.Join(", ", purpose.AllowedProviders)}).", refused, "purpose", purpose.Id.ToString());
        }

        var disallowed = models.Where(m => !ModelAllowance.Allows(purpose.AllowedModels, m)).ToList();
        if (disallowed.Count > 0)
        {
            throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                $"Purpose '{purposeName}' does not allow model(s) {string.Join(", ", disallowed.Select(m => $"'{RequestValidator.Clip(m)}'"))} (allowed: {string.Join(", ", purpose.AllowedModels)}).",
                refused, "purpose", purpose.Id.ToString());
        }

        var now = time.GetDbNow();
        var (expiresAt, maxExpiresAt) = CredentialLifetime.ForIssue(purpose, ttl, now);
        var id = Guid.CreateVersion7(now);
        Providers.Provider? directProvider = null;
        Delivery.UpstreamKey? upstream = null;
        string secret;
        if (purpose.Delivery == DeliveryMode.Direct)
        {
            // A real provider key: minted (or taken from the pool) before anything is written.
            directProvider = await db.Providers.AsNoTracking().FirstAsync(p => p.Id == found.ProviderId.Value, context.CancellationToken);
            (secret, upstream) = await direct.IssueAsync(db, directProvider, id, now, context.CancellationToken);
        }
        else
        {
            secret = SecretKey.Generate(SecretKey.CredentialKind);
        }

        var credential = new Credential
        {
            Id = id,
            Prefix = upstream is null ? SecretKey.PublicPrefix(secret) : Delivery.DirectPrefix.Of(secret),
            SecretHash = SecretKey.Hash(secret),
            OwnerId = caller.OwnerId!.Value,
            PurposeId = purpose.Id,
            WorkloadId = caller.WorkloadId!.Value,
            ProviderId = found.ProviderId.Value,
            ProviderName = found.ProviderName!,
            Models = models,
            Labels = Labels.Serialize(labels),
            Status = CredentialState.Active,
            IssuedAt = now,
            ExpiresAt = expiresAt,
            MaxExpiresAt = maxExpiresAt,
        };
        var details = new Dictionary<string, string>
        {
            ["prefix"] = credential.Prefix,
            ["purpose"] = purpose.Name,
            ["provider"] = credential.ProviderName,
            ["expires_at"] = expiresAt.ToString("O"),
        };
        var issued = new AuditEntry("credential.issued", "credential", credential.Id.ToString(), null, details);
        if (upstream is null)
        {
            // Gateway keys, the common case: group commit with concurrent issuances.
            if (!await issuance.WriteAsync(credential, found.PurposeVersion, audit.Describe(caller, context, issued)))
            {
                // Something the decision rested on changed (a grant, the owner, the purpose...): nothing
                // was written; decide again on facts read now, which also gives the precise refusal.
                lookup.Forget(purposeName);
                if (found.Fresh)
                {
                    throw new RpcException(new Status(StatusCode.Aborted, $"Purpose '{purposeName}', its grant or its owner changed while the credential was being issued; nothing was issued. Try again."));
                }

                return await IssueAsync(request, context, fresh: true);
            }

            lookup.Remember(found);
        }
        else
        {
            details["delivery"] = "direct";
            details["upstream_kind"] = upstream.Kind;
            details["upstream_id"] = upstream.UpstreamId;
            db.Credentials.Add(credential);
            db.UpstreamKeys.Add(upstream);
            audit.Record(db, caller, context, issued);
            try
            {
                await db.SaveChangesAsync(context.CancellationToken);
                if (db.Database.CurrentTransaction is { } transaction)
                {
                    await transaction.CommitAsync(context.CancellationToken);
                }
            }
            catch
            {
                await direct.UndoAsync(directProvider!, upstream);
                throw;
            }

            audit.Committed();
        }

        metrics.CredentialIssued(purpose.Name, purpose.RiskTier, started);

        var response = new IssueCredentialResponse
        {
            Credential = new CredentialView(credential, purpose.Name, null).ToProto(now),
            Secret = secret,
            GatewayBaseUrl = directProvider?.BaseUrl ?? options.Value.GatewayBaseUrl,
        };
        response.Credential.Delivery = upstream is null ? "gateway" : "direct";
        response.Credential.UpstreamState = upstream?.State ?? string.Empty;
        return response;
    }

    public override async Task<RenewCredentialResponse> RenewCredential(RenewCredentialRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        var ttl = v.Duration("ttl", request.Ttl, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        v.ThrowIfInvalid();

        var view = await FindAccessibleAsync(id, track: true, "credential.renew.denied", context);
        var now = time.GetDbNow();
        var c = view.Row;
        const string refused = "credential.renew.denied";
        switch (view.EffectiveState(now))
        {
            case CredentialState.Revoked:
                var reason = view.Watermark?.Reason ?? c.RevocationReason;
                throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                    $"Credential {c.Prefix} was revoked ({reason}); revoked credentials cannot be renewed. Issue a new one.", refused, "credential", c.Id.ToString());
            case CredentialState.Expired:
                throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                    $"Credential {c.Prefix} expired at {c.ExpiresAt:u}; expired credentials cannot be renewed. Issue a new one.", refused, "credential", c.Id.ToString());
            case CredentialState.Suspended:
                throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                    $"Credential {c.Prefix} is suspended after anomaly {c.SuspendedBy}; it cannot be renewed until security reinstates it (brokerctl anomalies reinstate {c.Id}).",
                    refused, "credential", c.Id.ToString());
        }

        if (c.ExpiresAt >= c.MaxExpiresAt)
        {
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                $"Credential {c.Prefix} already reaches its maximum lifetime ({c.MaxExpiresAt:u}); issue a new one before then.", refused, "credential", c.Id.ToString());
        }

        var purpose = await db.Purposes.AsNoTracking().FirstAsync(p => p.Id == c.PurposeId, context.CancellationToken);
        if (purpose.RetiredAt is not null)
        {
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                $"Credential {c.Prefix} is for purpose '{purpose.Name}', which is retired; it cannot be renewed.", refused, "credential", c.Id.ToString());
        }

        if (await db.Workloads.AnyAsync(w => w.Id == c.WorkloadId && w.DeregisteredAt != null, context.CancellationToken))
        {
            throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                $"Credential {c.Prefix} belongs to a deregistered workload; it cannot be renewed.", refused, "credential", c.Id.ToString());
        }

        var previous = c.ExpiresAt;
        var renewed = CredentialLifetime.ForRenewal(purpose, ttl, now, c.MaxExpiresAt);
        if (c.ParentId is { } parentId)
        {
            // A delegated credential never outlives its parent (nor any ancestor).
            var chain = await CredentialChain.LoadAsync(dataSource, parentId, context.CancellationToken);
            if (chain.FirstOrDefault(l => !l.IsActive(now)) is { } inactive)
            {
                throw await guard.DenyAsync(context, StatusCode.FailedPrecondition,
                    $"Credential {c.Prefix} was delegated from {inactive.Prefix}, which is {inactive.StateText(now)}; it cannot be renewed.", refused, "credential", c.Id.ToString());
            }

            var parentEnd = chain.Min(l => l.ExpiresAt);
            renewed = renewed > parentEnd ? parentEnd : renewed;
        }

        c.ExpiresAt = renewed > previous ? renewed : previous;
        c.RenewedAt = now;
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("credential.renewed", "credential", c.Id.ToString(), null, new Dictionary<string, string>
        {
            ["prefix"] = c.Prefix,
            ["previous_expires_at"] = previous.ToString("O"),
            ["expires_at"] = c.ExpiresAt.ToString("O"),
        }));
        await db.SaveChangesAsync(context.CancellationToken);
        audit.Committed();
        await changes.PublishAsync(ChangeKind.Credential, c.Id, context.CancellationToken);
        return new RenewCredentialResponse { Credential = view.ToProto(now) };
    }

    public override async Task<RevokeCredentialResponse> RevokeCredential(RevokeCredentialRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        var reason = v.Required("reason", request.Reason, 512);
        v.ThrowIfInvalid();

        var view = await FindAccessibleAsync(id, track: true, "credential.revoke.denied", context);
        var now = time.GetDbNow();
        var c = view.Row;
        var caller = AuthInterceptor.GetCaller(context);
        var revokeRow = view.EffectiveState(now) is CredentialState.Active or CredentialState.Suspended;

        // The credential and every credential delegated from it, at any depth, in one transaction.
        // A credential that no longer works is left as it is (idempotent), but its descendants are not.
        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        if (revokeRow)
        {
            c.Status = CredentialState.Revoked;
            c.RevokedAt = now;
            c.RevocationReason = SecretScrubber.Scrub(reason);
            audit.Record(db, caller, context, new AuditEntry("credential.revoked", "credential", c.Id.ToString(), reason, new Dictionary<string, string>
            {
                ["prefix"] = c.Prefix,
            }));
            await db.SaveChangesAsync(context.CancellationToken);
        }

        var descendants = await DescendantRevocation.RevokeAsync(db, audit, caller, context, c, reason, now);
        await transaction.CommitAsync(context.CancellationToken);
        audit.Committed();
        if (revokeRow)
        {
            await changes.PublishAsync(ChangeKind.Credential, c.Id, context.CancellationToken);
        }

        foreach (var descendant in descendants)
        {
            await changes.PublishAsync(ChangeKind.Credential, descendant, context.CancellationToken);
        }

        cleaner.Signal();
        return new RevokeCredentialResponse { Credential = view.ToProto(now) };
    }

    public override async Task<GetCredentialResponse> GetCredential(GetCredentialRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        v.ThrowIfInvalid();
        var view = await FindAccessibleAsync(id, track: false, "credential.read.denied", context);
        var response = new GetCredentialResponse { Credential = view.ToProto(time.GetUtcNow()) };
        await Delivery.UpstreamStates.AnnotateAsync(db, [response.Credential], context.CancellationToken);
        return response;
    }

    public override async Task<DelegateCredentialResponse> DelegateCredential(DelegateCredentialRequest request, ServerCallContext context)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.Gateway.BudgetTimeZone);
        var (child, secret, purposeName) = await new CredentialDelegation(db, dataSource, audit, guard, zone, time).DelegateAsync(request, context);
        return new DelegateCredentialResponse
        {
            Credential = new CredentialView(child, purposeName, null).ToProto(child.IssuedAt),
            Secret = secret,
            GatewayBaseUrl = options.Value.GatewayBaseUrl,
        };
    }

    public override Task<ListCredentialsResponse> ListCredentials(ListCredentialsRequest request, ServerCallContext context) =>
        new CredentialLister(db, guard, time).ListAsync(request, context);

    private async Task<CredentialView> FindAccessibleAsync(Guid id, bool track, string deniedAction, ServerCallContext context)
    {
        var view = await db.FindViewAsync(id, track, context.CancellationToken);
        if (view is null)
        {
            RpcErrors.NotFound($"Credential {id} does not exist.");
        }

        if (!AccessGuard.MayAccess(AuthInterceptor.GetCaller(context), view.Row.OwnerId, view.Row.WorkloadId))
        {
            throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                $"Credential {id} belongs to another {(AuthInterceptor.GetCaller(context).Role == BrokerRole.Workload ? "workload" : "owner")}.", deniedAction, "credential", id.ToString());
        }

        return view;
    }

    private static List<string> ValidateModels(RequestValidator v, IReadOnlyCollection<string> models)
    {
        if (models.Count > MaxModels)
        {
            v.Add("models", $"names {models.Count} models; at most {MaxModels} are allowed");
        }

        var result = new List<string>();
        var index = 0;
        foreach (var model in models)
        {
            if (string.IsNullOrWhiteSpace(model) || model.Length > 128)
            {
                v.Add($"models[{index}]", "must be a model name of 1-128 characters");
            }
            else if (!result.Contains(model))
            {
                result.Add(model.Trim());
            }

            index++;
        }

        return result;
    }
}
