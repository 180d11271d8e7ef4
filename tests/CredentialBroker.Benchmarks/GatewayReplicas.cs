namespace CredentialBroker.Benchmarks;

/// <summary>
/// The gateway through server processes: the same load straight to the simulated upstream, through one
/// process's gateway, and spread over every process; then the limits checked under spread load.
/// </summary>
internal sealed record GatewayReplicas(
    string Generator, int Replicas, int Connections, double StartupSeconds, HttpLegResult Direct, HttpLegResult Single, HttpLegResult Spread, HttpLegResult SpreadNoBudget, ReplicaLimitsResult Limits)
{
    public bool Clean => Direct.Clean && Single.Clean && Spread.Clean && SpreadNoBudget.Clean && Limits.BudgetHeld && Limits.RateHeld;
}
