using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Delivery;

/// <summary>The upstream side of a directly delivered credential (never the key itself).</summary>
public sealed class UpstreamKey
{
    public const string OpenAiServiceAccount = "openai_service_account";
    public const string AnthropicPoolKey = "anthropic_pool_key";
    public const string Live = "live";
    public const string Deleted = "deleted";
    public const string Irrevocable = "irrevocable";

    public Guid CredentialId { get; set; }
    public Guid ProviderId { get; set; }
    public required string Kind { get; set; }

    /// <summary>OpenAI service account id, or Anthropic API key id.</summary>
    public required string UpstreamId { get; set; }

    /// <summary>OpenAI: the id of the key the service account was created with.</summary>
    public string? KeyId { get; set; }

    public string State { get; set; } = Live;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

internal sealed class UpstreamKeyConfiguration : IEntityTypeConfiguration<UpstreamKey>
{
    public void Configure(EntityTypeBuilder<UpstreamKey> builder)
    {
        builder.ToTable("upstream_keys");
        builder.HasKey(u => u.CredentialId);
        builder.HasOne<Credentials.Credential>().WithOne().HasForeignKey<UpstreamKey>(u => u.CredentialId);
        builder.HasOne<Providers.Provider>().WithMany().HasForeignKey(u => u.ProviderId);
    }
}
