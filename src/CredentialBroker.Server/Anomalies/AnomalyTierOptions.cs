namespace CredentialBroker.Server.Anomalies;

/// <summary>One risk tier's absolute ceilings (0 = none) and what each kind of finding does.</summary>
public sealed class AnomalyTierOptions
{
    /// <summary>Requests in one minute above which the ceiling detector fires.</summary>
    public long RequestsPerMinuteCeiling { get; set; }

    /// <summary>Tokens in one minute above which the ceiling detector fires.</summary>
    public long TokensPerMinuteCeiling { get; set; }

    /// <summary>Cost in the last hour (micro-USD) above which the ceiling detector fires.</summary>
    public long CostPerHourCeilingMicroUsd { get; set; }

    /// <summary>Action on a spike.</summary>
    public AnomalyAction Spike { get; set; } = AnomalyAction.Narrow;

    /// <summary>Action on a ceiling crossed.</summary>
    public AnomalyAction Ceiling { get; set; } = AnomalyAction.Suspend;

    /// <summary>Action on a key used by another identity.</summary>
    public AnomalyAction IdentityMismatch { get; set; } = AnomalyAction.Suspend;

    /// <summary>Action on a runaway loop.</summary>
    public AnomalyAction Loop { get; set; } = AnomalyAction.Narrow;

    /// <summary>Action on a fan-out burst.</summary>
    public AnomalyAction FanOut { get; set; } = AnomalyAction.Narrow;

    /// <summary>The action for a kind of finding.</summary>
    public AnomalyAction ActionFor(AnomalyKind kind) => kind switch
    {
        AnomalyKind.Spike => Spike,
        AnomalyKind.Ceiling => Ceiling,
        AnomalyKind.IdentityMismatch => IdentityMismatch,
        AnomalyKind.Loop => Loop,
        _ => FanOut,
    };

    internal static AnomalyTierOptions ForSandbox() => new()
    {
        RequestsPerMinuteCeiling = 300,
        TokensPerMinuteCeiling = 200_000,
        CostPerHourCeilingMicroUsd = 5_000_000,
        Spike = AnomalyAction.Alert,
    };

    internal static AnomalyTierOptions ForInternal() => new()
    {
        RequestsPerMinuteCeiling = 3_000,
        TokensPerMinuteCeiling = 2_000_000,
        CostPerHourCeilingMicroUsd = 50_000_000,
    };

    internal static AnomalyTierOptions ForCustomerFacing() => new()
    {
        RequestsPerMinuteCeiling = 10_000,
        TokensPerMinuteCeiling = 10_000_000,
        CostPerHourCeilingMicroUsd = 500_000_000,
        IdentityMismatch = AnomalyAction.Revoke,
    };
}
