using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Audit;

/// <summary>One append-only audit record. Sealed into the hash chain shortly after it commits.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public required string Actor { get; set; }
    public string? ActorRole { get; set; }
    public required string Action { get; set; }
    public required string TargetType { get; set; }
    public string? TargetId { get; set; }
    public string? Reason { get; set; }
    public required string Outcome { get; set; }

    /// <summary>Request metadata as a JSON object of strings (jsonb).</summary>
    public string Metadata { get; set; } = "{}";

    public long? Seq { get; set; }
    public byte[]? PrevHash { get; set; }
    public byte[]? Hash { get; set; }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.Property(e => e.Metadata).HasColumnType("jsonb");
    }
}
