using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.UnitTests.Budgets;

public sealed class PricingTests
{
    private static readonly ModelPrice _mini = new("gpt-4o-mini", 150_000, 75_000, 600_000, 16_384);

    [Fact]
    public void Cost_RoundsUpToWholeMicroUsd()
    {
        // 1 input token at $0.15/M = 0.15 micro-USD → 1.
        Assert.Equal(1, Pricing.Cost(_mini, 1, 0, 0));
        // 1,000 in + 500 out = 150 + 300 micro-USD exactly.
        Assert.Equal(450, Pricing.Cost(_mini, 1_000, 0, 500));
    }

    [Fact]
    public void Cost_CachedTokensUseTheCachedPrice_AndNeverExceedInput()
    {
        Assert.Equal(75 + 75, Pricing.Cost(_mini, 1_500, 1_000, 0)); // 500 × 0.15 + 1,000 × 0.075
        Assert.Equal(75, Pricing.Cost(_mini, 1_000, 5_000, 0));       // cached clamped to input
        var noCachedPrice = _mini with { CachedInputMicroUsdPerMillion = 0 };
        Assert.Equal(150, Pricing.Cost(noCachedPrice, 1_000, 1_000, 0));
    }

    [Fact]
    public void Cost_HugeNumbersDoNotOverflow() =>
        Assert.Equal(long.MaxValue, Pricing.Cost(new ModelPrice("m", long.MaxValue, 0, long.MaxValue, 1), long.MaxValue, 0, long.MaxValue));

    [Fact]
    public void Find_PrefersExactThenLongestPrefix()
    {
        IReadOnlyList<ModelPrice> prices = [new("gpt-*", 1, 0, 1, 1), new("gpt-4o*", 2, 0, 2, 1), _mini];
        Assert.Equal("gpt-4o-mini", Pricing.Find(prices, "gpt-4o-mini")!.Model);
        Assert.Equal("gpt-4o*", Pricing.Find(prices, "gpt-4o-2024-08-06")!.Model);
        Assert.Equal("gpt-*", Pricing.Find(prices, "gpt-5")!.Model);
        Assert.Null(Pricing.Find(prices, "claude-sonnet-4"));
    }

    [Theory]
    [InlineData(1, "$0.000001")]
    [InlineData(2_500_000, "$2.50")]
    [InlineData(100, "$0.0001")]
    public void Usd_FormatsForMessages(long micro, string expected) => Assert.Equal(expected, Pricing.Usd(micro));
}
