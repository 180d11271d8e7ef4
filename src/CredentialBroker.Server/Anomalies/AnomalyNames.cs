namespace CredentialBroker.Server.Anomalies;

/// <summary>Database and wire names of the anomaly enums (snake_case, as in the SQL CHECK constraints).</summary>
internal static class AnomalyNames
{
    public static string Of(AnomalyKind kind) => kind switch
    {
        AnomalyKind.Spike => "spike",
        AnomalyKind.Ceiling => "ceiling",
        AnomalyKind.IdentityMismatch => "identity_mismatch",
        AnomalyKind.Loop => "loop",
        AnomalyKind.FanOut => "fan_out",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static AnomalyKind KindFrom(string kind) => kind switch
    {
        "spike" => AnomalyKind.Spike,
        "ceiling" => AnomalyKind.Ceiling,
        "identity_mismatch" => AnomalyKind.IdentityMismatch,
        "loop" => AnomalyKind.Loop,
        "fan_out" => AnomalyKind.FanOut,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown anomaly kind."),
    };

    public static string Of(AnomalyAction action) => action switch
    {
        AnomalyAction.Alert => "alert",
        AnomalyAction.Narrow => "narrow",
        AnomalyAction.Suspend => "suspend",
        AnomalyAction.Revoke => "revoke",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public static AnomalyAction ActionFrom(string action) => action switch
    {
        "alert" => AnomalyAction.Alert,
        "narrow" => AnomalyAction.Narrow,
        "suspend" => AnomalyAction.Suspend,
        "revoke" => AnomalyAction.Revoke,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown anomaly action."),
    };

    public static string Of(AnomalyStatus status) => status switch
    {
        AnomalyStatus.Open => "open",
        AnomalyStatus.Acknowledged => "acknowledged",
        AnomalyStatus.Resolved => "resolved",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static AnomalyStatus StatusFrom(string status) => status switch
    {
        "open" => AnomalyStatus.Open,
        "acknowledged" => AnomalyStatus.Acknowledged,
        "resolved" => AnomalyStatus.Resolved,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown anomaly status."),
    };
}
