using System.Globalization;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary>Prints purposes as table rows or as a detail view with their gateway policy.</summary>
public static class PurposePrinter
{
    public static readonly string[] Headers = ["ID", "NAME", "STATE", "OWNER", "TIER", "DEFAULT TTL", "MAX TTL", "MAX LIFETIME", "PROVIDERS", "MODELS", "GATEWAY"];

    public static string?[] Row(Purpose p) =>
    [
        p.Id, p.Name, State(p), p.OwnerId, Display.Tier(p.RiskTier), Display.Span(p.DefaultTtl), Display.Span(p.MaxTtl), Display.Span(p.MaxLifetime),
        string.Join(",", p.AllowedProviders), p.AllowedModels.Count == 0 ? "*" : string.Join(",", p.AllowedModels), GatewaySummary.Gateway(p.Gateway),
    ];

    /// <summary>Prints one purpose: "key: value" lines, or JSON.</summary>
    public static void WriteOne(TextWriter writer, Purpose p, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(writer, p);
            return;
        }

        var gateway = p.Gateway ?? new GatewayPolicy();
        var rows = new List<(string, string)>
        {
            ("id", p.Id),
            ("name", p.Name),
            ("description", p.Description),
            ("owner", p.OwnerId),
            ("tier", Display.Tier(p.RiskTier)),
            ("default ttl", Display.Span(p.DefaultTtl)),
            ("max ttl", Display.Span(p.MaxTtl)),
            ("max lifetime", Display.Span(p.MaxLifetime)),
            ("providers", string.Join(", ", p.AllowedProviders)),
            ("models", p.AllowedModels.Count == 0 ? "all" : string.Join(", ", p.AllowedModels)),
            ("delivery", p.Delivery is "" or "gateway" ? "gateway" : "direct (real provider keys; lifetime governance only)"),
            ("endpoints", gateway.AllowedEndpoints.Count == 0 ? "all" : string.Join(", ", gateway.AllowedEndpoints)),
            ("max output tokens", gateway.MaxOutputTokens > 0 ? gateway.MaxOutputTokens.ToString(CultureInfo.InvariantCulture) : "the model's limit"),
            ("call depth", gateway.MaxCallDepth > 0 ? $"up to {gateway.MaxCallDepth.ToString(CultureInfo.InvariantCulture)}" : "direct calls only"),
            ("sender binding", gateway.RequireSenderBinding ? "required" : "not required"),
            ("unpriced models", gateway.UnpricedPolicy == UnpricedPolicy.Cap ? $"allowed at {Usd.Format(gateway.UnpricedCapMicroUsd)} per call" : "refused"),
            ("credential limits", GatewaySummary.Limits(gateway.CredentialLimits)),
            ("purpose limits", GatewaySummary.Limits(gateway.PurposeLimits)),
            ("state", p.RetiredAt is null ? "in use" : $"retired {Display.Absolute(p.RetiredAt)}: {p.RetirementReason}"),
            ("created", Display.Absolute(p.CreatedAt)),
            ("updated", Display.Absolute(p.UpdatedAt)),
        };
        var width = rows.Max(r => r.Item1.Length) + 1;
        foreach (var (key, value) in rows)
        {
            writer.WriteLine(((key + ":").PadRight(width + 1) + value).TrimEnd());
        }
    }

    /// <summary>"in use" or "retired".</summary>
    public static string State(Purpose p) => p.RetiredAt is null ? "in use" : "retired";
}
