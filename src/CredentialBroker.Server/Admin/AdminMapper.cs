using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Policy;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Server.Admin;

/// <summary>Entity → wire mappings for the admin resources.</summary>
internal static class AdminMapper
{
    public static V1.Owner ToProto(Identity.Owner o)
    {
        var proto = new V1.Owner { Id = o.Id.ToString(), Name = o.Name, Email = o.Email, Active = o.Active, CreatedAt = Timestamp.FromDateTimeOffset(o.CreatedAt), Limits = GatewayMapper.ToProto(o.Limits) };
        if (o.DeactivatedAt is { } d)
        {
            proto.DeactivatedAt = Timestamp.FromDateTimeOffset(d);
        }

        proto.ExternalId = o.ExternalId ?? string.Empty;
        proto.DirectoryManaged = o.DirectoryManaged;
        if (o.MissingSince is { } m)
        {
            proto.MissingSince = Timestamp.FromDateTimeOffset(m);
        }

        return proto;
    }

    public static V1.Workload ToProto(Identity.Workload w) => new()
    {
        Id = w.Id.ToString(),
        Identity = w.Identity,
        OwnerId = w.OwnerId.ToString(),
        Description = w.Description,
        CreatedAt = Timestamp.FromDateTimeOffset(w.CreatedAt),
        DeregisteredAt = w.DeregisteredAt is { } d ? Timestamp.FromDateTimeOffset(d) : null,
        DeregistrationReason = w.DeregistrationReason ?? string.Empty,
    };

    public static V1.Purpose ToProto(Purpose p) => new()
    {
        Id = p.Id.ToString(),
        Name = p.Name,
        Description = p.Description,
        OwnerId = p.OwnerId.ToString(),
        RiskTier = RiskTiers.ToProto(p.RiskTier),
        DefaultTtl = Duration.FromTimeSpan(p.DefaultTtl),
        MaxTtl = Duration.FromTimeSpan(p.MaxTtl),
        MaxLifetime = Duration.FromTimeSpan(p.MaxLifetime),
        AllowedProviders = { p.AllowedProviders },
        AllowedModels = { p.AllowedModels },
        CreatedAt = Timestamp.FromDateTimeOffset(p.CreatedAt),
        UpdatedAt = Timestamp.FromDateTimeOffset(p.UpdatedAt),
        Gateway = GatewayMapper.ToProto(p.Gateway),
        RetiredAt = p.RetiredAt is { } r ? Timestamp.FromDateTimeOffset(r) : null,
        RetirementReason = p.RetirementReason ?? string.Empty,
        Delivery = p.Delivery == DeliveryMode.Direct ? "direct" : "gateway",
    };

    public static V1.Grant ToProto(Grant g) => new()
    {
        Id = g.Id.ToString(),
        WorkloadId = g.WorkloadId.ToString(),
        PurposeId = g.PurposeId.ToString(),
        CreatedAt = Timestamp.FromDateTimeOffset(g.CreatedAt),
    };

    public static V1.Provider ToProto(Providers.Provider p, long poolKeysAvailable = 0) => new()
    {
        Id = p.Id.ToString(),
        Name = p.Name,
        Kind = p.Kind,
        BaseUrl = p.BaseUrl,
        HasRootKey = p.RootKeyEnvelope is not null || p.RootKeyRef is not null,
        CreatedAt = Timestamp.FromDateTimeOffset(p.CreatedAt),
        Prices = { p.Prices.Select(GatewayMapper.ToProto) },
        RootKeyRef = p.RootKeyRef ?? string.Empty,
        HasAdminKey = p.AdminKeyEnvelope is not null || p.AdminKeyRef is not null,
        AdminKeyRef = p.AdminKeyRef ?? string.Empty,
        ProjectId = p.ProjectId ?? string.Empty,
        PoolKeysAvailable = poolKeysAvailable,
    };

    /// <summary>A purpose's policy for the audit log.</summary>
    public static Dictionary<string, string> Describe(Purpose p) => new()
    {
        ["name"] = p.Name,
        ["risk_tier"] = RiskTiers.ToDb(p.RiskTier),
        ["default_ttl"] = p.DefaultTtl.ToString("c"),
        ["max_ttl"] = p.MaxTtl.ToString("c"),
        ["max_lifetime"] = p.MaxLifetime.ToString("c"),
        ["allowed_providers"] = string.Join(',', p.AllowedProviders),
        ["allowed_models"] = string.Join(',', p.AllowedModels),
        ["gateway"] = System.Text.Json.JsonSerializer.Serialize(p.Gateway, PolicyJson.Options),
        ["delivery"] = p.Delivery == DeliveryMode.Direct ? "direct" : "gateway",
    };
}
