namespace CredentialBroker.Server.Budgets;

/// <summary>How a usage range splits into whole hours (read from roll-ups) and the partial hours around them (read raw).</summary>
internal static class UsageRanges
{
    /// <summary>
    /// The whole UTC hours inside [start, end): from the first hour boundary at or after start to the
    /// last at or before end. When there is none, an empty range at end, so the raw ranges
    /// [start, from) and [to, end] cover everything exactly once.
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To) WholeHours(DateTimeOffset start, DateTimeOffset end)
    {
        var from = Floor(start) == start.ToUniversalTime() ? start.ToUniversalTime() : Floor(start).AddHours(1);
        var to = Floor(end);
        return from < to ? (from, to) : (end.ToUniversalTime(), end.ToUniversalTime());
    }

    private static DateTimeOffset Floor(DateTimeOffset t)
    {
        var utc = t.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}
