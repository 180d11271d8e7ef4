namespace CredentialBroker.Server.Anomalies;

/// <summary>A credential's buckets laid out minute by minute: the baseline period and the recent window, zeros filled in.</summary>
internal sealed class ActivitySeries
{
    private ActivitySeries(ActivityMinute[] baseline, ActivityMinute[] recent)
    {
        Baseline = baseline;
        Recent = recent;
    }

    /// <summary>Minutes before the recent window, oldest first.</summary>
    public ActivityMinute[] Baseline { get; }

    /// <summary>Minutes of the recent window, oldest first.</summary>
    public ActivityMinute[] Recent { get; }

    /// <summary>The recent window is the <paramref name="window"/> ending at <paramref name="now"/>; the baseline the <paramref name="baseline"/> before it.</summary>
    public static ActivitySeries Of(IReadOnlyList<ActivityMinute> minutes, DateTimeOffset now, TimeSpan window, TimeSpan baseline)
    {
        var end = Truncate(now);
        var recentCount = Math.Max(1, (int)Math.Round(window.TotalMinutes));
        var baselineCount = Math.Max(0, (int)Math.Round(baseline.TotalMinutes) - recentCount);
        var recentStart = end.AddMinutes(-recentCount);
        var baselineStart = recentStart.AddMinutes(-baselineCount);
        var recent = new ActivityMinute[recentCount];
        var history = new ActivityMinute[baselineCount];
        foreach (var m in minutes)
        {
            var at = Truncate(m.Minute);
            if (at >= recentStart && at < end)
            {
                recent[(int)(at - recentStart).TotalMinutes] = m;
            }
            else if (at >= baselineStart && at < recentStart)
            {
                history[(int)(at - baselineStart).TotalMinutes] = m;
            }
        }

        return new ActivitySeries(history, recent);
    }

    /// <summary>Mean of a metric over the recent window.</summary>
    public double RecentMean(Func<ActivityMinute, long> metric) => Recent.Average(m => (double)metric(m));

    /// <summary>The robust baseline of a metric over the baseline period.</summary>
    public RobustBaseline BaselineOf(Func<ActivityMinute, long> metric) => RobustBaseline.Of(Baseline.Select(m => (double)metric(m)).ToArray());

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
}
