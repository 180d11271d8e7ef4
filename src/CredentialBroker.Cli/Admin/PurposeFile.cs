using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CredentialBroker.Cli.Admin;

/// <summary>
/// A purpose definition file (YAML or JSON) with the fields of CreatePurposeRequest in snake_case.
/// Durations are written like 15m or 24h; risk_tier as sandbox, internal or customer-facing.
/// </summary>
public sealed class PurposeFile
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? OwnerId { get; set; }

    public string? RiskTier { get; set; }

    public string? DefaultTtl { get; set; }

    public string? MaxTtl { get; set; }

    public string? MaxLifetime { get; set; }

    public List<string>? AllowedProviders { get; set; }

    public List<string>? AllowedModels { get; set; }

    /// <summary>Reads <paramref name="path"/>; malformed content is a usage error.</summary>
    public static CreatePurposeRequest Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }

        PurposeFile? file;
        try
        {
            // JSON is valid YAML flow syntax, so one parser reads both.
            file = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Deserialize<PurposeFile>(text);
        }
        catch (YamlException e)
        {
            throw new UsageException($"{path}: {(e.InnerException ?? e).Message}");
        }

        return (file ?? new PurposeFile()).ToRequest(path);
    }

    /// <summary>Maps the file to a request.</summary>
    public CreatePurposeRequest ToRequest(string source)
    {
        var request = new CreatePurposeRequest
        {
            Name = Name ?? string.Empty,
            Description = Description ?? string.Empty,
            OwnerId = OwnerId ?? string.Empty,
            RiskTier = RiskTier is null ? V1.RiskTier.Unspecified : ParseTier(RiskTier),
            DefaultTtl = ToDuration(DefaultTtl, $"{source}: default_ttl"),
            MaxTtl = ToDuration(MaxTtl, $"{source}: max_ttl"),
            MaxLifetime = ToDuration(MaxLifetime, $"{source}: max_lifetime"),
        };
        request.AllowedProviders.AddRange(AllowedProviders ?? []);
        request.AllowedModels.AddRange(AllowedModels ?? []);
        return request;
    }

    /// <summary>Parses a risk tier: sandbox, internal, customer-facing (or the proto enum name).</summary>
    public static RiskTier ParseTier(string text) => text.Trim().ToLowerInvariant().Replace('_', '-') switch
    {
        "sandbox" or "risk-tier-sandbox" => V1.RiskTier.Sandbox,
        "internal" or "risk-tier-internal" => V1.RiskTier.Internal,
        "customer-facing" or "risk-tier-customer-facing" => V1.RiskTier.CustomerFacing,
        _ => throw new UsageException($"invalid risk tier '{text}' (sandbox, internal or customer-facing)"),
    };

    private static Duration? ToDuration(string? text, string what) =>
        string.IsNullOrWhiteSpace(text) ? null : Duration.FromTimeSpan(DurationParser.Parse(text.Trim(), what));
}
