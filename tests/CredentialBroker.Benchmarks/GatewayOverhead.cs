namespace CredentialBroker.Benchmarks;

/// <summary>The gateway scenario's figures: the same load straight to the simulated upstream and through the gateway.</summary>
internal sealed record GatewayOverhead(string Generator, int Connections, string Body, double DirectWarmupSeconds, double GatewayWarmupSeconds, HttpLegResult Direct, HttpLegResult Gateway,
    double NoBudgetWarmupSeconds, HttpLegResult NoBudget)
{
    public const double TargetAddedP50 = 0.5;
    public const double TargetAddedP99 = 2;
    public const double TargetRatio = 0.70;

    public double AddedP50 => Gateway.P50 - Direct.P50;

    public double AddedP99 => Gateway.P99 - Direct.P99;

    /// <summary>Gateway throughput over direct throughput.</summary>
    public double Ratio => Direct.Throughput > 0 ? Gateway.Throughput / Direct.Throughput : 0;

    public bool Clean => Direct.Clean && Gateway.Clean && NoBudget.Clean;
}
