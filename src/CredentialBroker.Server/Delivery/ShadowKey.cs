using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Delivery;

/// <summary>An upstream account or key that the broker neither created nor was given: no owner, no purpose.</summary>
public sealed class ShadowKey
{
    public Guid ProviderId { get; set; }
    public required string UpstreamId { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
}

internal sealed class ShadowKeyConfiguration : IEntityTypeConfiguration<ShadowKey>
{
    public void Configure(EntityTypeBuilder<ShadowKey> builder)
    {
        builder.ToTable("shadow_keys");
        builder.HasKey(s => new { s.ProviderId, s.UpstreamId });
    }
}
