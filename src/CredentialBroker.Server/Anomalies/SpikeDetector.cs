using System.Globalization;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// A rate far above the credential's own baseline: requests/min, tokens/min, cost/hour (recent
/// window's mean vs k × the robust baseline) and the error rate — each only above an absolute floor,
/// so a quiet key that doubles its few calls does not alarm — and models never used before. Reports
/// the metric furthest over its threshold; score = observed / threshold.
/// </summary>
internal static class SpikeDetector
{
    public static AnomalyFinding? Detect(CredentialActivity activity, ActivitySeries series, AnomalyOptions options)
    {
        var k = options.SpikeFactor;
        var candidates = new List<(double Score, Dictionary<string, string> Evidence, string Summary)>();
        void Rate(string metric, Func<ActivityMinute, long> select, double scale, double floor, string unit)
        {
            var observed = series.RecentMean(select) * scale;
            var baseline = series.BaselineOf(select);
            var level = baseline.Level * scale;
            var threshold = Math.Max(k * level, floor);
            if (observed > threshold && threshold > 0)
            {
                candidates.Add((observed / threshold, new Dictionary<string, string>
                {
                    ["metric"] = metric,
                    ["observed"] = F(observed),
                    ["baseline_median"] = F(baseline.Median * scale),
                    ["baseline_mad"] = F(baseline.Mad * scale),
                    ["threshold"] = F(threshold),
                    ["factor"] = F(k),
                    ["floor"] = F(floor),
                }, $"{metric} {F(observed)} {unit} is over {F(threshold)} (k={F(k)} x baseline {F(level)}, floor {F(floor)})."));
            }
        }

        Rate("requests_per_minute", m => m.Requests, 1, options.RequestsPerMinuteFloor, "requests/min");
        Rate("tokens_per_minute", m => m.Tokens, 1, options.TokensPerMinuteFloor, "tokens/min");
        Rate("cost_per_hour_micro_usd", m => m.CostMicroUsd, 60, options.CostPerHourFloorMicroUsd, "micro-USD/hour");
        ErrorRate(series, options, candidates);
        NewModels(activity, options, candidates);
        if (candidates.Count == 0)
        {
            return null;
        }

        var worst = candidates.MaxBy(c => c.Score);
        return new AnomalyFinding(activity.CredentialId, AnomalyKind.Spike, Math.Round(worst.Score, 3), worst.Evidence, worst.Summary);
    }

    private static void ErrorRate(ActivitySeries series, AnomalyOptions options, List<(double, Dictionary<string, string>, string)> candidates)
    {
        var requests = series.Recent.Sum(m => m.Requests);
        if (requests < options.ErrorRateMinRequests)
        {
            return;
        }

        var rate = (double)series.Recent.Sum(m => m.Errors) / requests;
        var baselineRequests = series.Baseline.Sum(m => m.Requests);
        var baselineRate = baselineRequests == 0 ? 0 : (double)series.Baseline.Sum(m => m.Errors) / baselineRequests;
        var threshold = Math.Min(1, Math.Max(options.SpikeFactor * baselineRate, options.ErrorRateFloor));
        if (rate > threshold)
        {
            candidates.Add((rate / threshold, new Dictionary<string, string>
            {
                ["metric"] = "error_rate",
                ["observed"] = F(rate),
                ["baseline"] = F(baselineRate),
                ["threshold"] = F(threshold),
                ["requests"] = requests.ToString(CultureInfo.InvariantCulture),
            }, $"error rate {F(rate)} over {requests} requests is over {F(threshold)} (baseline {F(baselineRate)})."));
        }
    }

    private static void NewModels(CredentialActivity activity, AnomalyOptions options, List<(double, Dictionary<string, string>, string)> candidates)
    {
        var fresh = activity.RecentModels.Where(m => !activity.BaselineModels.Contains(m)).Order(StringComparer.Ordinal).ToList();
        if (activity.BaselineModels.Count > 0 && options.NewModelsFloor > 0 && fresh.Count >= options.NewModelsFloor)
        {
            candidates.Add(((double)fresh.Count / options.NewModelsFloor, new Dictionary<string, string>
            {
                ["metric"] = "new_models",
                ["observed"] = fresh.Count.ToString(CultureInfo.InvariantCulture),
                ["models"] = string.Join(",", fresh.Take(10)),
                ["baseline_models"] = activity.BaselineModels.Count.ToString(CultureInfo.InvariantCulture),
                ["threshold"] = options.NewModelsFloor.ToString(CultureInfo.InvariantCulture),
            }, $"{fresh.Count} models never used before in the baseline ({string.Join(", ", fresh.Take(5))})."));
        }
    }

    internal static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
