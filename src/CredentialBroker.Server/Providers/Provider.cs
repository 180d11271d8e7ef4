using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Providers;

/// <summary>An upstream AI API. The root key is held only as an encrypted envelope.</summary>
public sealed class Provider
{
    /// <summary>Wire formats the broker knows.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["openai", "anthropic", "openai_compatible", "azure_openai"];

    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    public required string BaseUrl { get; set; }
    public string? RootKeyEnvelope { get; set; }

    /// <summary>Where the root key lives in Vault instead (vault:mount/path#field[@version]).</summary>
    public string? RootKeyRef { get; set; }

    /// <summary>Admin API key for direct delivery, encrypted like the root key (or <see cref="AdminKeyRef"/>).</summary>
    public string? AdminKeyEnvelope { get; set; }

    /// <summary>Vault reference of the admin API key.</summary>
    public string? AdminKeyRef { get; set; }

    /// <summary>OpenAI project whose service accounts direct credentials are.</summary>
    public string? ProjectId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Prices per model (micro-USD per million tokens) and output limits.</summary>
    public List<Gateway.ModelPrice> Prices { get; set; } = [];
}

internal sealed class ProviderConfiguration : IEntityTypeConfiguration<Provider>
{
    public void Configure(EntityTypeBuilder<Provider> builder)
    {
        builder.ToTable("providers");
        builder.HasIndex(p => p.Name).IsUnique();
        builder.Property(p => p.Prices).HasColumnType("jsonb")
            .HasConversion(Gateway.PolicyJson.Converter(new List<Gateway.ModelPrice>()), Gateway.PolicyJson.Comparer<List<Gateway.ModelPrice>>());
    }
}
