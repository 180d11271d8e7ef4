using System.ComponentModel.DataAnnotations;
using CredentialBroker.Server.Policy;

namespace CredentialBroker.Server.Anomalies;

/// <summary>The <c>Broker:Anomalies</c> configuration section: detection thresholds and the action policy per risk tier.</summary>
public sealed class AnomalyOptions
{
    /// <summary>Run anomaly detection at all (the job and the gateway's real-time checks).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the detection job runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The recent window each run judges (rates are its per-minute mean).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>History a credential's baseline (median and MAD of per-minute buckets) is computed from.</summary>
    public TimeSpan BaselineWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A rate is a spike when it is more than this many times the credential's baseline (median + 3 MAD).</summary>
    [Range(1.0, 1000.0)]
    public double SpikeFactor { get; set; } = 4;

    /// <summary>Requests per minute below which no spike is reported, whatever the baseline (quiet keys do not alarm).</summary>
    public long RequestsPerMinuteFloor { get; set; } = 30;

    /// <summary>Tokens per minute below which no spike is reported.</summary>
    public long TokensPerMinuteFloor { get; set; } = 50_000;

    /// <summary>Cost per hour (micro-USD) below which no spike is reported.</summary>
    public long CostPerHourFloorMicroUsd { get; set; } = 5_000_000;

    /// <summary>Error rate (0-1) below which no error spike is reported.</summary>
    public double ErrorRateFloor { get; set; } = 0.5;

    /// <summary>Fewest requests in the window for the error rate to count.</summary>
    public int ErrorRateMinRequests { get; set; } = 20;

    /// <summary>Models never used in the baseline, used in the window, from which a spike is reported.</summary>
    public int NewModelsFloor { get; set; } = 3;

    /// <summary>The same prompt fingerprint more than this many times within <see cref="LoopWindow"/> is a runaway loop.</summary>
    [Range(2, 1_000_000)]
    public int LoopRepeats { get; set; } = 20;

    /// <summary>Window of the loop detector.</summary>
    public TimeSpan LoopWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>More calls than this in flight at once on one credential is a fan-out burst.</summary>
    [Range(1, 1_000_000)]
    public int FanOutLimit { get; set; } = 50;

    /// <summary>Narrowing divides the credential's requests/min and tokens/min (the purpose's, else the observed rate) by this.</summary>
    [Range(1.0, 1000.0)]
    public double NarrowFactor { get; set; } = 4;

    /// <summary>Ceilings and actions for sandbox purposes.</summary>
    public AnomalyTierOptions Sandbox { get; set; } = AnomalyTierOptions.ForSandbox();

    /// <summary>Ceilings and actions for internal purposes.</summary>
    public AnomalyTierOptions Internal { get; set; } = AnomalyTierOptions.ForInternal();

    /// <summary>Ceilings and actions for customer-facing purposes.</summary>
    public AnomalyTierOptions CustomerFacing { get; set; } = AnomalyTierOptions.ForCustomerFacing();

    /// <summary>The tier's settings.</summary>
    public AnomalyTierOptions For(RiskTier tier) => tier switch
    {
        RiskTier.Sandbox => Sandbox,
        RiskTier.CustomerFacing => CustomerFacing,
        _ => Internal,
    };
}
