using CredentialBroker.Server.Gateway;

namespace CredentialBroker.Server.Budgets;

/// <summary>Where budget windows start: local midnight of the day or the 1st of the month in the configured zone.</summary>
internal static class BudgetWindows
{
    /// <summary>The start of "lifetime": a fixed instant before anything the broker issues.</summary>
    public static readonly DateTimeOffset LifetimeStart = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset Start(BudgetWindow window, DateTimeOffset now, TimeZoneInfo zone)
    {
        if (window == BudgetWindow.Lifetime)
        {
            return LifetimeStart;
        }

        var local = TimeZoneInfo.ConvertTime(now, zone);
        var start = window == BudgetWindow.Day ? local.Date : new DateTime(local.Year, local.Month, 1);
        // Midnight can fall in a DST gap (or twice); take the first instant of the local date.
        while (zone.IsInvalidTime(start))
        {
            start = start.AddMinutes(30);
        }

        var offset = zone.IsAmbiguousTime(start) ? zone.GetAmbiguousTimeOffsets(start).Max() : zone.GetUtcOffset(start);
        return new DateTimeOffset(start, offset).ToUniversalTime();
    }

    public static string ToDb(BudgetWindow window) => window switch
    {
        BudgetWindow.Day => "day",
        BudgetWindow.Month => "month",
        _ => "lifetime",
    };

    public static BudgetWindow FromDb(string window) => window switch
    {
        "day" => BudgetWindow.Day,
        "month" => BudgetWindow.Month,
        _ => BudgetWindow.Lifetime,
    };
}
