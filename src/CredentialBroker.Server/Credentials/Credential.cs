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

    /// <summary>The credential this one was delegated from; null when issued directly.</summary>
    public Guid? ParentId { get; set; }

    /// <summary>The directly issued credential at the top of the delegation chain; null when this is it.</summary>
    public Guid? RootId { get; set; }

    /// <summary>0 when issued directly; the parent's depth + 1 when delegated.</summary>
    public int Depth { get; set; }

    /// <summary>The credential's own budgets (delegated credentials: carved out of the parent's).</summary>
    public Gateway.Limits Limits { get; set; } = Gateway.Limits.None;

    /// <summary>Endpoints the credential may call; empty: the purpose's allowance.</summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>What a delegated credential is for.</summary>
    public string? Description { get; set; }

    /// <summary>When anomaly detection suspended the credential (status <see cref="CredentialState.Suspended"/>).</summary>
    public DateTimeOffset? SuspendedAt { get; set; }

    /// <summary>The anomaly that suspended it.</summary>
    public Guid? SuspendedBy { get; set; }

    /// <summary>Narrowed limits (anomaly detection): the gateway enforces the lower of these and the purpose's. Null: none.</summary>
    public Gateway.Limits? NarrowedLimits { get; set; }
    /// <summary>Latest metered gateway call (set per usage batch); null if never used.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>The state written on the row. The enforced state also considers expiry and watermarks.</summary>
public enum CredentialState
{
    Active,
    Expired,
    Revoked,

    /// <summary>Stopped by anomaly detection; security can reinstate it.</summary>
    Suspended,
}

internal sealed class CredentialConfiguration : IEntityTypeConfiguration<Credential>
{
    public void Configure(EntityTypeBuilder<Credential> builder)
    {
        builder.ToTable("credentials");
        builder.HasIndex(c => c.SecretHash).IsUnique();
        builder.Property(c => c.Labels).HasColumnType("jsonb");
        builder.Property(c => c.Status).HasConversion(
            s => s == CredentialState.Active ? "active" : s == CredentialState.Expired ? "expired" : s == CredentialState.Suspended ? "suspended" : "revoked",
            s => s == "active" ? CredentialState.Active : s == "expired" ? CredentialState.Expired : s == "suspended" ? CredentialState.Suspended : CredentialState.Revoked);
        builder.Property(c => c.NarrowedLimits).HasColumnType("jsonb").HasConversion(
            v => System.Text.Json.JsonSerializer.Serialize(v, Gateway.PolicyJson.Options),
            s => System.Text.Json.JsonSerializer.Deserialize<Gateway.Limits>(s, Gateway.PolicyJson.Options),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<Gateway.Limits?>(
                (a, b) => a == b, v => v == null ? 0 : v.GetHashCode(), v => v));
        builder.HasOne<Owner>().WithMany().HasForeignKey(c => c.OwnerId);
        builder.HasOne<Purpose>().WithMany().HasForeignKey(c => c.PurposeId);
        builder.HasOne<Workload>().WithMany().HasForeignKey(c => c.WorkloadId);
        builder.HasOne<Provider>().WithMany().HasForeignKey(c => c.ProviderId);
        builder.HasOne<RevocationWatermark>().WithMany().HasForeignKey(c => c.RevocationId);
        builder.HasOne<Credential>().WithMany().HasForeignKey(c => c.ParentId);
        builder.HasOne<Credential>().WithMany().HasForeignKey(c => c.RootId);
        builder.Property(c => c.Limits).HasColumnType("jsonb")
            .HasConversion(Gateway.PolicyJson.Converter(Gateway.Limits.None), Gateway.PolicyJson.Comparer<Gateway.Limits>());
    }
}
