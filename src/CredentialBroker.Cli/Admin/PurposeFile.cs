using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Admin;

/// <summary>
/// A purpose definition file (YAML or JSON) with the fields of CreatePurposeRequest in snake_case.
/// Durations are written like 15m or 24h; risk_tier as sandbox, internal or customer-facing; the optional
/// <c>gateway:</c> section as described by <see cref="GatewayPolicyFile"/>.
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

    /// <summary>What the gateway enforces on the purpose's credentials; see <see cref="GatewayPolicyFile"/>.</summary>
    public GatewayPolicyFile? Gateway { get; set; }

    /// <summary><c>gateway</c> (broker keys through the gateway) or <c>direct</c> (real provider keys).</summary>
    public string? Delivery { get; set; }

    /// <summary>Reads <paramref name="path"/> as a create request; malformed content is a usage error.</summary>
    public static CreatePurposeRequest Load(string path) => Read(path).ToRequest(path);

    /// <summary>Reads <paramref name="path"/>; an empty file has no fields.</summary>
    public static PurposeFile Read(string path) => YamlFile.Read<PurposeFile>(path) ?? new PurposeFile();

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
        request.Gateway = Gateway?.ToProto($"{source}: gateway");
        request.Delivery = ParseDelivery(Delivery, source) ?? string.Empty;
        return request;
    }

    /// <summary>
    /// Maps the fields present in the file to an update of purpose <paramref name="id"/>, each in the update mask
    /// (an empty list is present: <c>allowed_models: []</c> allows all models). The gateway section replaces the
    /// purpose's whole policy. Name and owner cannot be changed, so the file must not give them.
    /// </summary>
    public UpdatePurposeRequest ToUpdateRequest(string id, string source)
    {
        if (Name is not null || OwnerId is not null)
        {
            throw new UsageException($"{source}: name and owner_id cannot be changed by update; remove them from the file");
        }

        var request = new UpdatePurposeRequest { Id = id, UpdateMask = new FieldMask() };
        void Change(string path) => request.UpdateMask.Paths.Add(path);
        if (Description is not null)
        {
            request.Description = Description;
            Change("description");
        }

        if (RiskTier is not null)
        {
            request.RiskTier = ParseTier(RiskTier);
            Change("risk_tier");
        }

        if (ToDuration(DefaultTtl, $"{source}: default_ttl") is { } defaultTtl)
        {
            request.DefaultTtl = defaultTtl;
            Change("default_ttl");
        }

        if (ToDuration(MaxTtl, $"{source}: max_ttl") is { } maxTtl)
        {
            request.MaxTtl = maxTtl;
            Change("max_ttl");
        }

        if (ToDuration(MaxLifetime, $"{source}: max_lifetime") is { } maxLifetime)
        {
            request.MaxLifetime = maxLifetime;
            Change("max_lifetime");
        }

        if (AllowedProviders is not null)
        {
            request.AllowedProviders.AddRange(AllowedProviders);
            Change("allowed_providers");
        }

        if (AllowedModels is not null)
        {
            request.AllowedModels.AddRange(AllowedModels);
            Change("allowed_models");
        }

        if (Gateway is not null)
        {
            request.Gateway = Gateway.ToProto($"{source}: gateway");
            Change("gateway");
        }

        if (ParseDelivery(Delivery, source) is { } delivery)
        {
            request.Delivery = delivery;
            Change("delivery");
        }

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

    private static string? ParseDelivery(string? text, string source) => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "gateway" or "direct" => text.Trim().ToLowerInvariant(),
        _ => throw new UsageException($"{source}: delivery: '{text}' is not gateway or direct"),
    };

    private static Duration? ToDuration(string? text, string what) =>
        string.IsNullOrWhiteSpace(text) ? null : Duration.FromTimeSpan(DurationParser.Parse(text.Trim(), what));
}
