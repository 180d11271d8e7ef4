using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Tests.Infrastructure;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    public void TryParse_Units_ReturnsSpan(string text, int seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("3x")]
    [InlineData("0m")]
    [InlineData("1.5h")]
    [InlineData("")]
    [InlineData("h")]
    public void TryParse_Malformed_ReturnsFalse(string text) => Assert.False(DurationParser.TryParse(text, out _));
}
