using System.Globalization;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// Absolute ceilings of the purpose's risk tier, whatever the credential's history: the busiest minute
/// of the recent window (requests, tokens) and the cost of the last hour. Score = observed / ceiling.
/// </summary>
internal static class CeilingDetector
{
    public static AnomalyFinding? Detect(CredentialActivity activity, AnomalyOptions options)
    {
        var tier = options.For(activity.Tier);
        var windowStart = activity.Now.AddTicks(-(activity.Now.UtcTicks % TimeSpan.TicksPerMinute)) - options.Window;
        var hourStart = activity.Now - TimeSpan.FromHours(1);
        var recent = activity.Minutes.Where(m => m.Minute >= windowStart && m.Minute < activity.Now).ToList();
        var candidates = new List<(string Metric, double Observed, long Ceiling)>
        {
            ("requests_per_minute", recent.Count == 0 ? 0 : recent.Max(m => m.Requests), tier.RequestsPerMinuteCeiling),
            ("tokens_per_minute", recent.Count == 0 ? 0 : recent.Max(m => m.Tokens), tier.TokensPerMinuteCeiling),
            ("cost_per_hour_micro_usd", activity.Minutes.Where(m => m.Minute >= hourStart && m.Minute < activity.Now).Sum(m => m.CostMicroUsd), tier.CostPerHourCeilingMicroUsd),
        };
        var over = candidates.Where(c => c.Ceiling > 0 && c.Observed > c.Ceiling).ToList();
        if (over.Count == 0)
        {
            return null;
        }

        var worst = over.MaxBy(c => c.Observed / c.Ceiling);
        var tierName = Policy.RiskTiers.ToDb(activity.Tier);
        return new AnomalyFinding(activity.CredentialId, AnomalyKind.Ceiling, Math.Round(worst.Observed / worst.Ceiling, 3), new Dictionary<string, string>
        {
            ["metric"] = worst.Metric,
            ["observed"] = SpikeDetector.F(worst.Observed),
            ["ceiling"] = worst.Ceiling.ToString(CultureInfo.InvariantCulture),
            ["risk_tier"] = tierName,
        }, $"{worst.Metric} {SpikeDetector.F(worst.Observed)} is over the {tierName} ceiling of {worst.Ceiling}.");
    }
}
