using CredentialBroker.Server.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Anomalies;

/// <summary>One finding of the anomaly detectors and what was done about it.</summary>
public sealed class Anomaly
{
    public Guid Id { get; set; }
    public Guid CredentialId { get; set; }
    public Guid OwnerId { get; set; }
    public Guid PurposeId { get; set; }
    public AnomalyKind Kind { get; set; }

    /// <summary>Observed / threshold: above 1 is over the line.</summary>
    public double Score { get; set; }

    /// <summary>Non-secret figures that explain the finding, as a JSON object (jsonb).</summary>
    public string Evidence { get; set; } = "{}";

    public AnomalyAction Action { get; set; }
    public AnomalyStatus Status { get; set; }
    public DateTimeOffset DetectedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? Note { get; set; }
}

internal sealed class AnomalyConfiguration : IEntityTypeConfiguration<Anomaly>
{
    public void Configure(EntityTypeBuilder<Anomaly> builder)
    {
        builder.ToTable("anomalies");
        builder.Property(a => a.Evidence).HasColumnType("jsonb");
        builder.Property(a => a.Kind).HasConversion(k => AnomalyNames.Of(k), s => AnomalyNames.KindFrom(s));
        builder.Property(a => a.Action).HasConversion(a => AnomalyNames.Of(a), s => AnomalyNames.ActionFrom(s));
        builder.Property(a => a.Status).HasConversion(s => AnomalyNames.Of(s), s => AnomalyNames.StatusFrom(s));
        builder.HasOne<Credential>().WithMany().HasForeignKey(a => a.CredentialId);
    }
}
