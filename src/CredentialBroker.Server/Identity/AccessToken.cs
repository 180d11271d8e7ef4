using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Identity;

/// <summary>A broker-issued bearer token for humans and automation; only its hash is stored.</summary>
public sealed class AccessToken
{
    public Guid Id { get; set; }
    public required byte[] TokenHash { get; set; }
    public required string Prefix { get; set; }
    public BrokerRole Role { get; set; }
    public Guid? OwnerId { get; set; }
    public Guid? WorkloadId { get; set; }
    public string Description { get; set; } = string.Empty;
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class AccessTokenConfiguration : IEntityTypeConfiguration<AccessToken>
{
    public void Configure(EntityTypeBuilder<AccessToken> builder)
    {
        builder.ToTable("access_tokens");
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.Property(t => t.Role).HasConversion(r => BrokerRoles.ToDb(r), s => BrokerRoles.FromDb(s));
    }
}
