namespace CredentialBroker.Benchmarks;

/// <summary>Calls spread over the replicas against a reachable limit: what was forwarded, refused, and what the limit allowed.</summary>
internal sealed record ReplicaLimitsResult(
    int Replicas,
    int Connections,
    double BudgetSeconds,
    long BudgetForwarded,
    long BudgetRefused,
    long BudgetMaxMicroUsd,
    long BudgetSpentMicroUsd,
    long BudgetReservedMicroUsd,
    long RequestsPerMinute,
    double RateSeconds,
    long RateAdmitted,
    long RateRefused,
    long Other,
    string? FirstOther)
{
    /// <summary>What one bucket over the whole cluster admits in the window: full at the start, refilled continuously.</summary>
    public double RateAllowed => RequestsPerMinute + (RequestsPerMinute * RateSeconds / 60);

    public double RateRatio => RateAdmitted / RateAllowed;

    /// <summary>The budget was reached and never overshot, every reservation settled, and nothing but 200 and 429 came back.</summary>
    public bool BudgetHeld => BudgetForwarded > 0 && BudgetRefused > 0 && BudgetSpentMicroUsd <= BudgetMaxMicroUsd && BudgetReservedMicroUsd == 0 && Other == 0;

    /// <summary>The rate-limit target (within 10 % of one global bucket).</summary>
    public bool RateWithinTenPercent => RateRatio is >= 0.9 and <= 1.1;

    /// <summary>
    /// What fails the run: the limit held globally, not once per replica (each replica with the whole limit would admit
    /// about <see cref="Replicas"/>× the allowance). The 10 % target is reported, not enforced, on a shared machine.
    /// </summary>
    public bool RateHeld => RateRefused > 0 && RateRatio <= 1.5 && Other == 0;
}
