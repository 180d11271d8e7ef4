using CredentialBroker.Server.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Policy;

/// <summary>A workload may request credentials for a purpose.</summary>
public sealed class Grant
{
    public Guid Id { get; set; }
    public Guid WorkloadId { get; set; }
    public Guid PurposeId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class GrantConfiguration : IEntityTypeConfiguration<Grant>
{
    public void Configure(EntityTypeBuilder<Grant> builder)
    {
        builder.ToTable("grants");
        builder.HasIndex(g => new { g.WorkloadId, g.PurposeId }).IsUnique();
        builder.HasOne<Workload>().WithMany().HasForeignKey(g => g.WorkloadId);
        builder.HasOne<Purpose>().WithMany().HasForeignKey(g => g.PurposeId);
    }
}
