using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary>
/// The <c>gateway:</c> section of a purpose file, mirroring GatewayPolicy with friendly units: dollars instead of
/// micro-USD, <c>unpriced: refuse|cap</c> instead of the enum.
/// </summary>
public sealed class GatewayPolicyFile
{
    public List<string>? AllowedEndpoints { get; set; }

    public int? MaxOutputTokens { get; set; }

    public int? MaxCallDepth { get; set; }

    public bool? RequireSenderBinding { get; set; }

    /// <summary>refuse (the default) or cap.</summary>
    public string? Unpriced { get; set; }

    /// <summary>Dollars charged per call to an unpriced model under <c>unpriced: cap</c>.</summary>
    public string? UnpricedCapUsd { get; set; }

    public LimitsFile? CredentialLimits { get; set; }

    public LimitsFile? PurposeLimits { get; set; }

    /// <summary>Tool names or glob patterns ("shell_*") that need a security approval.</summary>
    public List<string>? HighRiskTools { get; set; }

    /// <summary>How deep credentials may be delegated (0: not at all).</summary>
    public int? MaxDelegationDepth { get; set; }

    /// <summary>Maps to the proto policy; <paramref name="what"/> locates the section in errors.</summary>
    public GatewayPolicy ToProto(string what)
    {
        var policy = new GatewayPolicy
        {
            MaxOutputTokens = MaxOutputTokens ?? 0,
            MaxCallDepth = MaxCallDepth ?? 0,
            RequireSenderBinding = RequireSenderBinding ?? false,
            UnpricedPolicy = Unpriced is null ? UnpricedPolicy.Unspecified : ParseUnpriced(Unpriced, YamlFile.Key(what, "unpriced")),
            UnpricedCapMicroUsd = UnpricedCapUsd is null ? 0 : Usd.ParseMicros(UnpricedCapUsd, YamlFile.Key(what, "unpriced_cap_usd")),
            CredentialLimits = CredentialLimits?.ToProto(YamlFile.Key(what, "credential_limits")),
            PurposeLimits = PurposeLimits?.ToProto(YamlFile.Key(what, "purpose_limits")),
            MaxDelegationDepth = MaxDelegationDepth ?? 0,
        };
        policy.AllowedEndpoints.AddRange(AllowedEndpoints ?? []);
        policy.HighRiskTools.AddRange(HighRiskTools ?? []);
        if (policy.UnpricedPolicy == UnpricedPolicy.Cap && policy.UnpricedCapMicroUsd <= 0)
        {
            throw new UsageException($"{what}: unpriced: cap needs unpriced_cap_usd (the charge per call, e.g. 0.05)");
        }

        return policy;
    }

    private static UnpricedPolicy ParseUnpriced(string text, string what) => text.Trim().ToLowerInvariant() switch
    {
        "refuse" or "unpriced_policy_refuse" => UnpricedPolicy.Refuse,
        "cap" or "unpriced_policy_cap" => UnpricedPolicy.Cap,
        _ => throw new UsageException($"invalid value '{text}' for {what} (refuse or cap)"),
    };
}
