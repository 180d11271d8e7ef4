namespace CredentialBroker.IntegrationTests.ScaleOut;

/// <summary>A printable distribution of measurements (nearest-rank percentiles).</summary>
internal static class Percentiles
{
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static string Describe(IReadOnlyList<double> milliseconds) =>
        $"n={milliseconds.Count} min={milliseconds.Min():0} p50={Of(milliseconds, 50):0} p99={Of(milliseconds, 99):0} max={milliseconds.Max():0} ms";
}
