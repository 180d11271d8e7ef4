using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Identity;

/// <summary>A caller identity (SPIFFE ID, certificate subject or JWT subject) that belongs to an owner.</summary>
public sealed class Workload
{
    public Guid Id { get; set; }
    public required string Identity { get; set; }
    public Guid OwnerId { get; set; }
    public string Description { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the workload was deregistered: it can no longer issue or renew, and its credentials are revoked.</summary>
    public DateTimeOffset? DeregisteredAt { get; set; }

    public string? DeregistrationReason { get; set; }
}

internal sealed class WorkloadConfiguration : IEntityTypeConfiguration<Workload>
{
    public void Configure(EntityTypeBuilder<Workload> builder)
    {
        builder.ToTable("workloads");
        builder.HasIndex(w => w.Identity).IsUnique();
        builder.HasOne<Owner>().WithMany().HasForeignKey(w => w.OwnerId);
    }
}
