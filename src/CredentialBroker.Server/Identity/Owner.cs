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
