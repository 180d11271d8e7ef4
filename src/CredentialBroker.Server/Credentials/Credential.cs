using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Policy;
using CredentialBroker.Server.Providers;
using CredentialBroker.Server.Revocation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Credentials;

/// <summary>An issued credential. Holds the hash of its secret, never the secret.</summary>
public sealed class Credential
{
    public Guid Id { get; set; }
    public required string Prefix { get; set; }
    public required byte[] SecretHash { get; set; }
    public Guid OwnerId { get; set; }
    public Guid PurposeId { get; set; }
    public Guid WorkloadId { get; set; }
    public Guid ProviderId { get; set; }
    public required string ProviderName { get; set; }
    public List<string> Models { get; set; } = [];

    /// <summary>Labels as a JSON object (jsonb), so selectors can use containment.</summary>
    public string Labels { get; set; } = "{}";

    public CredentialState Status { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset MaxExpiresAt { get; set; }
    public DateTimeOffset? RenewedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevocationReason { get; set; }
    public Guid? RevocationId { get; set; }

    /// <summary>Latest metered gateway call (set per usage batch); null if never used.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>The state written on the row. The enforced state also considers expiry and watermarks.</summary>
public enum CredentialState
{
    Active,
    Expired,
    Revoked,
}

internal sealed class CredentialConfiguration : IEntityTypeConfiguration<Credential>
{
    public void Configure(EntityTypeBuilder<Credential> builder)
    {
        builder.ToTable("credentials");
        builder.HasIndex(c => c.SecretHash).IsUnique();
        builder.Property(c => c.Labels).HasColumnType("jsonb");
        builder.Property(c => c.Status).HasConversion(
            s => s == CredentialState.Active ? "active" : s == CredentialState.Expired ? "expired" : "revoked",
            s => s == "active" ? CredentialState.Active : s == "expired" ? CredentialState.Expired : CredentialState.Revoked);
        builder.HasOne<Owner>().WithMany().HasForeignKey(c => c.OwnerId);
        builder.HasOne<Purpose>().WithMany().HasForeignKey(c => c.PurposeId);
        builder.HasOne<Workload>().WithMany().HasForeignKey(c => c.WorkloadId);
        builder.HasOne<Provider>().WithMany().HasForeignKey(c => c.ProviderId);
        builder.HasOne<RevocationWatermark>().WithMany().HasForeignKey(c => c.RevocationId);
    }
}
