using CredentialBroker.V1;

namespace CredentialBroker.Cli.Anomalies;

/// <summary>The command line's names for anomaly kinds, actions and statuses (as stored: snake_case).</summary>
public static class AnomalyNames
{
    public static readonly string[] Kinds = ["spike", "ceiling", "identity_mismatch", "loop", "fan_out"];

    public static readonly string[] Statuses = ["open", "acknowledged", "resolved"];

    public static string Kind(AnomalyKind kind) => kind switch
    {
        AnomalyKind.Spike => "spike",
        AnomalyKind.Ceiling => "ceiling",
        AnomalyKind.IdentityMismatch => "identity_mismatch",
        AnomalyKind.Loop => "loop",
        AnomalyKind.FanOut => "fan_out",
        _ => "unknown",
    };

    public static AnomalyKind ParseKind(string? kind) =>
        Array.IndexOf(Kinds, kind) is var i and >= 0 ? (AnomalyKind)(i + 1) : AnomalyKind.Unspecified;

    public static string Action(AnomalyAction action) => action switch
    {
        AnomalyAction.Alert => "alert",
        AnomalyAction.Narrow => "narrow",
        AnomalyAction.Suspend => "suspend",
        AnomalyAction.Revoke => "revoke",
        _ => "unknown",
    };

    public static string Status(AnomalyStatus status) => status switch
    {
        AnomalyStatus.Open => "open",
        AnomalyStatus.Acknowledged => "acknowledged",
        AnomalyStatus.Resolved => "resolved",
        _ => "unknown",
    };

    public static AnomalyStatus ParseStatus(string? status) =>
        Array.IndexOf(Statuses, status) is var i and >= 0 ? (AnomalyStatus)(i + 1) : AnomalyStatus.Unspecified;
}
