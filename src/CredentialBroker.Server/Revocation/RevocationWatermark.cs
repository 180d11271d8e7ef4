using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Revocation;

/// <summary>
/// "Every credential matching this selector issued before <see cref="EffectiveAt"/> is revoked."
/// One row enforces a mass revocation of any size; credential rows are marked in the background.
/// </summary>
public sealed class RevocationWatermark
{
    public Guid Id { get; set; }
    public Guid? OwnerId { get; set; }
    public Guid? PurposeId { get; set; }
    public string? ProviderName { get; set; }
    public Guid? WorkloadId { get; set; }
    public DateTimeOffset? IssuedBefore { get; set; }

    /// <summary>Labels a credential must all carry (JSON object), or null.</summary>
    public string? Labels { get; set; }

    public DateTimeOffset EffectiveAt { get; set; }
    public required string Reason { get; set; }
    public required string Actor { get; set; }
    public long MatchedCount { get; set; }
    public long MarkedCount { get; set; }
    public DateTimeOffset? MarkingCompletedAt { get; set; }
}

internal sealed class RevocationWatermarkConfiguration : IEntityTypeConfiguration<RevocationWatermark>
{
    public void Configure(EntityTypeBuilder<RevocationWatermark> builder)
    {
        builder.ToTable("revocation_watermarks");
        builder.Property(w => w.Labels).HasColumnType("jsonb");
    }
}
