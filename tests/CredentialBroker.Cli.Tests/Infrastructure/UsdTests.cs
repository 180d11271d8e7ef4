using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Tests.Infrastructure;

public sealed class UsdTests
{
    [Theory]
    [InlineData("10", 10_000_000)]
    [InlineData("0.05", 50_000)]
    [InlineData("2.50", 2_500_000)]
    [InlineData("0.000001", 1)]
    [InlineData("0.0000010", 1)]
    [InlineData("0", 0)]
    [InlineData(" 1.5 ", 1_500_000)]
    [InlineData("9000000000000", 9_000_000_000_000_000_000)]
    public void ParseMicros_DecimalDollars_ConvertsExactly(string text, long micros) =>
        Assert.Equal(micros, Usd.ParseMicros(text, "x"));

    [Theory]
    [InlineData("0.0000001", "at most 6 decimals")]
    [InlineData("1.0000005", "at most 6 decimals")]
    [InlineData("-1", "must not be negative")]
    [InlineData("-0.01", "must not be negative")]
    [InlineData("1e-3", "not a decimal number")]
    [InlineData("ten", "not a decimal number")]
    [InlineData("1,5", "not a decimal number")]
    [InlineData("", "not a decimal number")]
    [InlineData("10000000000000", "too large")]
    public void ParseMicros_Invalid_ThrowsUsageErrorNamingTheField(string text, string reason)
    {
        var error = Assert.Throws<UsageException>(() => Usd.ParseMicros(text, "budgets[0].max_usd"));

        Assert.Contains($"'{text}'", error.Message);
        Assert.Contains("budgets[0].max_usd", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData(12_300, "$0.0123")]
    [InlineData(1, "$0.000001")]
    [InlineData(10_000_000, "$10")]
    [InlineData(2_500_000, "$2.5")]
    [InlineData(0, "$0")]
    [InlineData(123_456_789, "$123.456789")]
    public void Format_Micros_TrimsTrailingZeros(long micros, string text) => Assert.Equal(text, Usd.Format(micros));
}
