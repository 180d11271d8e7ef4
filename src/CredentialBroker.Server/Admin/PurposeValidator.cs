using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using CredentialBroker.V1;
using Google.Protobuf.Collections;
using Microsoft.EntityFrameworkCore;
using Purpose = CredentialBroker.Server.Policy.Purpose;
using RiskTier = CredentialBroker.Server.Policy.RiskTier;

namespace CredentialBroker.Server.Admin;

/// <summary>Checks a purpose's policy: TTL bounds that fit together, registered providers, sane model patterns.</summary>
internal sealed class PurposeValidator(BrokerDbContext db)
{
    public static readonly TimeSpan MinTtl = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxTtlCeiling = TimeSpan.FromDays(30);
    public static readonly TimeSpan DefaultMaxLifetime = TimeSpan.FromDays(30);
    public static readonly TimeSpan MaxLifetimeCeiling = TimeSpan.FromDays(365);

    private static readonly string[] _updatable = ["description", "risk_tier", "default_ttl", "max_ttl", "allowed_providers", "allowed_models", "max_lifetime", "gateway", "delivery"];

    public async Task<Purpose> ValidateNewAsync(CreatePurposeRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var v = new RequestValidator();
        var purpose = new Purpose
        {
            Id = Guid.CreateVersion7(now),
            Name = v.Name("name", request.Name),
            Description = v.Required("description", request.Description, 2000),
            OwnerId = v.Id("owner_id", request.OwnerId),
            CreatedAt = now,
            UpdatedAt = now,
        };
        purpose.RiskTier = Tier(v, request.RiskTier) ?? RiskTier.Sandbox;
        var defaultTtl = RequiredDuration(v, "default_ttl", request.DefaultTtl, MaxTtlCeiling);
        var maxTtl = RequiredDuration(v, "max_ttl", request.MaxTtl, MaxTtlCeiling);
        var maxLifetime = v.Duration("max_lifetime", request.MaxLifetime, MinTtl, MaxLifetimeCeiling)
            ?? (maxTtl is { } m && m > DefaultMaxLifetime ? m : DefaultMaxLifetime);
        purpose.DefaultTtl = defaultTtl ?? MinTtl;
        purpose.MaxTtl = maxTtl ?? MinTtl;
        purpose.MaxLifetime = maxLifetime;
        purpose.AllowedProviders = Providers(v, request.AllowedProviders);
        purpose.AllowedModels = Models(v, request.AllowedModels);
        purpose.Gateway = GatewayMapper.Policy(v, "gateway", request.Gateway);
        purpose.Delivery = Delivery(v, request.Delivery) ?? DeliveryMode.Gateway;
        CheckConsistency(v, purpose);
        v.ThrowIfInvalid();
        await EnsureProvidersExistAsync(purpose.AllowedProviders, cancellationToken);
        return purpose;
    }

    public async Task ApplyUpdateAsync(Purpose purpose, UpdatePurposeRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var v = new RequestValidator();
        var paths = request.UpdateMask?.Paths ?? [];
        if (paths.Count == 0)
        {
            v.Add("update_mask", $"is required; name the fields to change ({string.Join(", ", _updatable)})");
        }

        foreach (var path in paths.Where(p => !_updatable.Contains(p)))
        {
            v.Add("update_mask", $"'{RequestValidator.Clip(path)}' cannot be updated; updatable: {string.Join(", ", _updatable)}");
        }

        v.ThrowIfInvalid();
        foreach (var path in paths)
        {
            switch (path)
            {
                case "description": purpose.Description = v.Required("description", request.Description, 2000); break;
                case "risk_tier": purpose.RiskTier = Tier(v, request.RiskTier) ?? purpose.RiskTier; break;
                case "default_ttl": purpose.DefaultTtl = RequiredDuration(v, "default_ttl", request.DefaultTtl, MaxTtlCeiling) ?? purpose.DefaultTtl; break;
                case "max_ttl": purpose.MaxTtl = RequiredDuration(v, "max_ttl", request.MaxTtl, MaxTtlCeiling) ?? purpose.MaxTtl; break;
                case "max_lifetime": purpose.MaxLifetime = RequiredDuration(v, "max_lifetime", request.MaxLifetime, MaxLifetimeCeiling) ?? purpose.MaxLifetime; break;
                case "allowed_providers": purpose.AllowedProviders = Providers(v, request.AllowedProviders); break;
                case "allowed_models": purpose.AllowedModels = Models(v, request.AllowedModels); break;
                case "gateway": purpose.Gateway = GatewayMapper.Policy(v, "gateway", request.Gateway); break;
                case "delivery": purpose.Delivery = Delivery(v, request.Delivery) ?? purpose.Delivery; break;
            }
        }

        CheckConsistency(v, purpose);
        if (!v.IsValid)
        {
            // Nothing of a rejected update may reach the database.
            db.Entry(purpose).State = EntityState.Detached;
            v.ThrowIfInvalid();
        }

        await EnsureProvidersExistAsync(purpose.AllowedProviders, cancellationToken);
        purpose.UpdatedAt = now;
    }

    private static void CheckConsistency(RequestValidator v, Purpose p)
    {
        if (p.DefaultTtl > p.MaxTtl)
        {
            v.Add("default_ttl", $"({RequestValidator.Format(p.DefaultTtl)}) must not exceed max_ttl ({RequestValidator.Format(p.MaxTtl)})");
        }

        if (p.MaxTtl > p.MaxLifetime)
        {
            v.Add("max_lifetime", $"({RequestValidator.Format(p.MaxLifetime)}) must be at least max_ttl ({RequestValidator.Format(p.MaxTtl)})");
        }
    }

    private async Task EnsureProvidersExistAsync(List<string> names, CancellationToken cancellationToken)
    {
        var known = await db.Providers.Where(p => names.Contains(p.Name)).Select(p => p.Name).ToListAsync(cancellationToken);
        var missing = names.Except(known).ToList();
        if (missing.Count > 0)
        {
            RpcErrors.NotFound($"allowed_providers: provider(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} are not registered; register them with RegisterProvider first.");
        }
    }

    private static TimeSpan? RequiredDuration(RequestValidator v, string field, Google.Protobuf.WellKnownTypes.Duration? value, TimeSpan max)
    {
        if (value is null)
        {
            v.Add(field, "is required");
            return null;
        }

        return v.Duration(field, value, MinTtl, max);
    }

    private static DeliveryMode? Delivery(RequestValidator v, string value)
    {
        switch (value)
        {
            case "" or "gateway": return DeliveryMode.Gateway;
            case "direct": return DeliveryMode.Direct;
            default:
                v.Add("delivery", "must be 'gateway' or 'direct'");
                return null;
        }
    }

    private static RiskTier? Tier(RequestValidator v, V1.RiskTier tier)
    {
        var mapped = RiskTiers.FromProto(tier);
        if (mapped is null)
        {
            v.Add("risk_tier", "is required: RISK_TIER_SANDBOX, RISK_TIER_INTERNAL or RISK_TIER_CUSTOMER_FACING");
        }

        return mapped;
    }

    private static List<string> Providers(RequestValidator v, RepeatedField<string> providers)
    {
        if (providers.Count == 0)
        {
            v.Add("allowed_providers", "must name at least one registered provider");
        }

        if (providers.Count > 32)
        {
            v.Add("allowed_providers", "names more than 32 providers");
        }

        return providers.Select((p, i) => v.Name($"allowed_providers[{i}]", p, 64)).Distinct().ToList();
    }

    private static List<string> Models(RequestValidator v, RepeatedField<string> models)
    {
        if (models.Count > 256)
        {
            v.Add("allowed_models", "names more than 256 models");
        }

        var result = new List<string>();
        for (var i = 0; i < models.Count; i++)
        {
            var model = models[i].Trim();
            if (model.Length is 0 or > 128 || model.IndexOf('*') is >= 0 and var star && star != model.Length - 1)
            {
                v.Add($"allowed_models[{i}]", "must be a model name of 1-128 characters, optionally ending in '*' for a prefix");
            }
            else if (!result.Contains(model))
            {
                result.Add(model);
            }
        }

        return result;
    }
}
