using CredentialBroker.V1;

namespace CredentialBroker.Server.Identity;

/// <summary>What a caller may do.</summary>
public enum BrokerRole
{
    Workload,
    Owner,
    Security,
    Admin,
}

/// <summary>Conversions between the role's database, wire and display forms.</summary>
public static class BrokerRoles
{
    public static string ToDb(BrokerRole role) => role switch
    {
        BrokerRole.Workload => "workload",
        BrokerRole.Owner => "owner",
        BrokerRole.Security => "security",
        BrokerRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static BrokerRole FromDb(string role) => role switch
    {
        "workload" => BrokerRole.Workload,
        "owner" => BrokerRole.Owner,
        "security" => BrokerRole.Security,
        "admin" => BrokerRole.Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };

    public static Role ToProto(BrokerRole role) => role switch
    {
        BrokerRole.Workload => Role.Workload,
        BrokerRole.Owner => Role.Owner,
        BrokerRole.Security => Role.Security,
        BrokerRole.Admin => Role.Admin,
        _ => Role.Unspecified,
    };

    public static BrokerRole? FromProto(Role role) => role switch
    {
        Role.Workload => BrokerRole.Workload,
        Role.Owner => BrokerRole.Owner,
        Role.Security => BrokerRole.Security,
        Role.Admin => BrokerRole.Admin,
        _ => null,
    };
}
