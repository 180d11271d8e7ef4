using System.Globalization;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// A concurrency burst: more calls in flight at once on one credential than
/// <see cref="AnomalyOptions.FanOutLimit"/> — in real time from the gateway's counter
/// (<see cref="Check"/>), and in the job from the recent calls' spans. Score = in flight / limit.
/// </summary>
internal static class FanOutDetector
{
    public static AnomalyFinding? Check(Guid credentialId, int inFlight, int limit, string source = "gateway") =>
        inFlight <= limit ? null : new AnomalyFinding(credentialId, AnomalyKind.FanOut, Math.Round((double)inFlight / limit, 3), new Dictionary<string, string>
        {
            ["in_flight"] = inFlight.ToString(CultureInfo.InvariantCulture),
            ["limit"] = limit.ToString(CultureInfo.InvariantCulture),
            ["source"] = source,
        }, $"{inFlight} calls were in flight at once on this key (limit {limit}).");

    public static AnomalyFinding? Detect(CredentialActivity activity, AnomalyOptions options) =>
        Check(activity.CredentialId, MaxConcurrency(activity.RecentCalls), options.FanOutLimit, "usage");

    /// <summary>The most spans overlapping at one instant (a span ending exactly when another starts does not overlap it).</summary>
    public static int MaxConcurrency(IReadOnlyList<CallSpan> calls)
    {
        var edges = new List<(long At, int Delta)>(calls.Count * 2);
        foreach (var c in calls)
        {
            edges.Add((c.Start.UtcTicks, 1));
            edges.Add((c.End.UtcTicks, -1));
        }

        // Ends sort before starts at the same instant.
        edges.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Delta.CompareTo(b.Delta));
        int current = 0, max = 0;
        foreach (var (_, delta) in edges)
        {
            current += delta;
            max = Math.Max(max, current);
        }

        return max;
    }
}
