using CredentialBroker.Server.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Policy;

/// <summary>Why credentials exist, with the policy that bounds them.</summary>
public sealed class Purpose
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Description { get; set; }
    public Guid OwnerId { get; set; }
    public RiskTier RiskTier { get; set; }
    public TimeSpan DefaultTtl { get; set; }
    public TimeSpan MaxTtl { get; set; }
    public TimeSpan MaxLifetime { get; set; }
    public List<string> AllowedProviders { get; set; } = [];
    public List<string> AllowedModels { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the purpose was retired: no issues, renewals or grants, and its credentials are revoked.</summary>
    public DateTimeOffset? RetiredAt { get; set; }

    public string? RetirementReason { get; set; }

    /// <summary>What the gateway enforces on calls with this purpose's credentials.</summary>
    public Gateway.GatewayPolicy Gateway { get; set; } = CredentialBroker.Server.Gateway.GatewayPolicy.Default;

    /// <summary>How credentials reach the caller: a gateway key, or a real provider key (direct).</summary>
    public DeliveryMode Delivery { get; set; } = DeliveryMode.Gateway;
}

/// <summary>How much harm a purpose's credentials can do.</summary>
public enum RiskTier
{
    Sandbox,
    Internal,
    CustomerFacing,
}

internal sealed class PurposeConfiguration : IEntityTypeConfiguration<Purpose>
{
    public void Configure(EntityTypeBuilder<Purpose> builder)
    {
        builder.ToTable("purposes");
        builder.HasIndex(p => p.Name).IsUnique();
        builder.HasOne<Owner>().WithMany().HasForeignKey(p => p.OwnerId);
        builder.Property(p => p.Gateway).HasColumnType("jsonb")
            .HasConversion(Gateway.PolicyJson.Converter(Gateway.GatewayPolicy.Default), Gateway.PolicyJson.Comparer<Gateway.GatewayPolicy>());
        builder.Property(p => p.Delivery).HasConversion(d => d == DeliveryMode.Direct ? "direct" : "gateway", s => s == "direct" ? DeliveryMode.Direct : DeliveryMode.Gateway);
        builder.Property(p => p.RiskTier).HasConversion(t => RiskTiers.ToDb(t), s => RiskTiers.FromDb(s));
    }
}
