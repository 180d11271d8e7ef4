using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Tests.Infrastructure;

public sealed class TimeParserTests
{
    private static readonly DateTimeOffset _now = new(2026, 3, 15, 12, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("24h", "2026-03-14T12:30:00Z")]
    [InlineData("7d", "2026-03-08T12:30:00Z")]
    [InlineData("90s", "2026-03-15T12:28:30Z")]
    [InlineData("2026-01-31T12:00:00Z", "2026-01-31T12:00:00Z")]
    [InlineData("2026-01-31T13:00:00+01:00", "2026-01-31T12:00:00Z")]
    [InlineData("2026-01-31T12:00:00.250Z", "2026-01-31T12:00:00.25Z")]
    [InlineData("2026-01-31", "2026-01-31T00:00:00Z")]
    public void TryParse_Forms_ReturnsInstant(string text, string expected)
    {
        Assert.True(TimeParser.TryParse(text, _now, out var time));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
    }

    [Theory]
    [InlineData("2026-01-31T12:00:00")]
    [InlineData("yesterday")]
    [InlineData("31/01/2026")]
    [InlineData("2026-02-30")]
    [InlineData("-5m")]
    [InlineData("")]
    public void TryParse_Malformed_ReturnsFalse(string text) => Assert.False(TimeParser.TryParse(text, _now, out _));
}
