using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Identity;

/// <summary>An accountable team or person.</summary>
public sealed class Owner
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Email { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeactivatedAt { get; set; }

    /// <summary>The owner's id in the HR/SCIM directory it is synced from, if any.</summary>
    public string? ExternalId { get; set; }

    /// <summary>Synced from the owner directory: leaving the directory offboards it (after the grace period).</summary>
    public bool DirectoryManaged { get; set; }

    /// <summary>First directory sync that no longer listed the owner; null while listed.</summary>
    public DateTimeOffset? MissingSince { get; set; }

    /// <summary>Rate limits and budgets over all of the owner's credentials.</summary>
    public Gateway.Limits Limits { get; set; } = Gateway.Limits.None;
}

internal sealed class OwnerConfiguration : IEntityTypeConfiguration<Owner>
{
    public void Configure(EntityTypeBuilder<Owner> builder)
    {
        builder.ToTable("owners");
        builder.HasIndex(o => o.Name).IsUnique();
        builder.Property(o => o.Limits).HasColumnType("jsonb")
            .HasConversion(Gateway.PolicyJson.Converter(Gateway.Limits.None), Gateway.PolicyJson.Comparer<Gateway.Limits>());
    }
}
