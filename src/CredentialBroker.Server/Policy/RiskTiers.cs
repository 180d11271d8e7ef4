namespace CredentialBroker.Server.Policy;

/// <summary>Conversions between the risk tier's database and wire forms.</summary>
public static class RiskTiers
{
    public static string ToDb(RiskTier tier) => tier switch
    {
        RiskTier.Sandbox => "sandbox",
        RiskTier.Internal => "internal",
        RiskTier.CustomerFacing => "customer_facing",
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };

    public static RiskTier FromDb(string tier) => tier switch
    {
        "sandbox" => RiskTier.Sandbox,
        "internal" => RiskTier.Internal,
        "customer_facing" => RiskTier.CustomerFacing,
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown risk tier."),
    };

    public static V1.RiskTier ToProto(RiskTier tier) => tier switch
    {
        RiskTier.Sandbox => V1.RiskTier.Sandbox,
        RiskTier.Internal => V1.RiskTier.Internal,
        RiskTier.CustomerFacing => V1.RiskTier.CustomerFacing,
        _ => V1.RiskTier.Unspecified,
    };

    public static RiskTier? FromProto(V1.RiskTier tier) => tier switch
    {
        V1.RiskTier.Sandbox => RiskTier.Sandbox,
        V1.RiskTier.Internal => RiskTier.Internal,
        V1.RiskTier.CustomerFacing => RiskTier.CustomerFacing,
        _ => null,
    };
}
