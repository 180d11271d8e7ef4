using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.UnitTests.Budgets;

public sealed class BudgetWindowsTests
{
    private static readonly TimeZoneInfo _berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void Day_StartsAtLocalMidnight()
    {
        // 23:30 UTC on 14 March is 00:30 on 15 March in Berlin (UTC+1).
        var now = new DateTimeOffset(2026, 3, 14, 23, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 23, 0, 0, TimeSpan.Zero), BudgetWindows.Start(BudgetWindow.Day, now, _berlin));
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 0, 0, 0, TimeSpan.Zero), BudgetWindows.Start(BudgetWindow.Day, now, TimeZoneInfo.Utc));
    }

    [Fact]
    public void Month_StartsOnTheFirstAtLocalMidnight_AcrossDaylightSaving()
    {
        // 10 April (summer time, UTC+2): the month began on 1 April 00:00 local = 31 March 22:00 UTC.
        var now = new DateTimeOffset(2026, 4, 10, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero), BudgetWindows.Start(BudgetWindow.Month, now, _berlin));
    }

    [Fact]
    public void Lifetime_IsOneFixedWindow() =>
        Assert.Equal(BudgetWindows.LifetimeStart, BudgetWindows.Start(BudgetWindow.Lifetime, DateTimeOffset.UtcNow, _berlin));

    [Fact]
    public void Day_ChangesExactlyAtMidnight()
    {
        var before = new DateTimeOffset(2026, 6, 1, 21, 59, 59, TimeSpan.Zero); // 23:59:59 Berlin
        var after = before.AddSeconds(1);
        Assert.NotEqual(BudgetWindows.Start(BudgetWindow.Day, before, _berlin), BudgetWindows.Start(BudgetWindow.Day, after, _berlin));
        Assert.Equal(after, BudgetWindows.Start(BudgetWindow.Day, after, _berlin));
    }
}
