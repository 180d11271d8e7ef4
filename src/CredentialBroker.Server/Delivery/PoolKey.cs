using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Delivery;

/// <summary>A pre-created provider key (Anthropic) waiting to be assigned to one credential.</summary>
public sealed class PoolKey
{
    public const string Available = "available";
    public const string Assigned = "assigned";
    public const string Disabled = "disabled";

    public Guid Id { get; set; }
    public Guid ProviderId { get; set; }
    public required string UpstreamId { get; set; }
    public required string KeyEnvelope { get; set; }
    public string Status { get; set; } = Available;
    public Guid? CredentialId { get; set; }
    public DateTimeOffset AddedAt { get; set; }
    public DateTimeOffset? AssignedAt { get; set; }

    /// <summary>Associated data the key's envelope is bound to, so it cannot be moved to another provider or slot.</summary>
    public static string EnvelopeName(string providerName, string upstreamId) => $"{providerName}/pool/{upstreamId}";
}

internal sealed class PoolKeyConfiguration : IEntityTypeConfiguration<PoolKey>
{
    public void Configure(EntityTypeBuilder<PoolKey> builder)
    {
        builder.ToTable("provider_pool_keys");
        builder.HasOne<Providers.Provider>().WithMany().HasForeignKey(k => k.ProviderId);
        builder.HasOne<Credentials.Credential>().WithMany().HasForeignKey(k => k.CredentialId);
    }
}
