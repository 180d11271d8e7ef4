using CredentialBroker.Server.Budgets;

namespace CredentialBroker.UnitTests.Budgets;

public sealed class UsageRangesTests
{
    private static DateTimeOffset T(string s) => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData("2026-11-01T00:10:00Z", "2026-11-01T05:30:00Z", "2026-11-01T01:00:00Z", "2026-11-01T05:00:00Z")]
    [InlineData("2026-11-01T00:10:00Z", "2026-11-01T01:05:00Z", "2026-11-01T01:05:00Z", "2026-11-01T01:05:00Z")]
    [InlineData("2026-11-01T00:10:00Z", "2026-11-01T00:50:00Z", "2026-11-01T00:50:00Z", "2026-11-01T00:50:00Z")]
    [InlineData("2026-11-01T02:10:00+02:00", "2026-11-01T05:00:00+02:00", "2026-11-01T01:00:00Z", "2026-11-01T03:00:00Z")]
    public void WholeHours_SplitsTheRange(string start, string end, string from, string to)
    {
        var (f, t) = UsageRanges.WholeHours(T(start), T(end));

        Assert.Equal(T(from), f);
        Assert.Equal(T(to), t);
        Assert.True(f >= T(start) && t <= T(end) && f <= t);
    }
}
