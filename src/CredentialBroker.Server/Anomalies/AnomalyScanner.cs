namespace CredentialBroker.Server.Anomalies;

/// <summary>Runs every detector over one credential's activity: at most one finding per kind.</summary>
internal static class AnomalyScanner
{
    public static IReadOnlyList<AnomalyFinding> Scan(CredentialActivity activity, AnomalyOptions options)
    {
        var series = ActivitySeries.Of(activity.Minutes, activity.Now, options.Window, options.BaselineWindow);
        var findings = new List<AnomalyFinding>();
        void Add(AnomalyFinding? finding)
        {
            if (finding is not null)
            {
                findings.Add(finding);
            }
        }

        Add(IdentityDetector.Detect(activity));
        Add(CeilingDetector.Detect(activity, options));
        Add(LoopDetector.Detect(activity, options));
        Add(FanOutDetector.Detect(activity, options));
        Add(SpikeDetector.Detect(activity, series, options));
        return findings;
    }
}
