namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// A robust "normal high" of a series: median + 3 × MAD scaled to a standard deviation (1.4826).
/// A few extreme minutes — an earlier incident, a batch job — barely move it, unlike a mean.
/// </summary>
internal readonly record struct RobustBaseline(double Median, double Mad)
{
    /// <summary>Median + 3 robust standard deviations.</summary>
    public double Level => Median + (3 * 1.4826 * Mad);

    public static RobustBaseline Of(double[] values)
    {
        if (values.Length == 0)
        {
            return default;
        }

        var median = MedianOf(values);
        var deviations = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            deviations[i] = Math.Abs(values[i] - median);
        }

        return new RobustBaseline(median, MedianOf(deviations));
    }

    private static double MedianOf(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
