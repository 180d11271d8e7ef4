using CredentialBroker.Server.Anomalies;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.UnitTests.Anomalies;

public sealed class NarrowingTests
{
    [Fact]
    public void Narrow_PurposeLimits_DividedByTheFactor()
    {
        var narrowed = Narrowing.Narrow(new Limits { RequestsPerMinute = 8, TokensPerMinute = 40_000 }, null, 100, 1_000_000, 4);

        Assert.Equal(2, narrowed.RequestsPerMinute);
        Assert.Equal(10_000, narrowed.TokensPerMinute);
    }

    [Fact]
    public void Narrow_Unlimited_UsesTheObservedRate_WithFloors()
    {
        Assert.Equal(new Limits { RequestsPerMinute = 25, TokensPerMinute = 5_000 }, Narrowing.Narrow(Limits.None, null, 100, 20_000, 4));
        Assert.Equal(new Limits { RequestsPerMinute = 1, TokensPerMinute = 1_000 }, Narrowing.Narrow(Limits.None, null, 0, 0, 4));
    }

    [Fact]
    public void Narrow_AlreadyNarrowed_GoesLower()
    {
        var once = Narrowing.Narrow(new Limits { RequestsPerMinute = 80 }, null, 0, 0, 4);
        var twice = Narrowing.Narrow(new Limits { RequestsPerMinute = 80 }, once, 0, 0, 4);

        Assert.Equal(20, once.RequestsPerMinute);
        Assert.Equal(5, twice.RequestsPerMinute);
    }

    [Fact]
    public void Effective_TakesTheLowerRate_ZeroMeaningUnlimited_KeepsBudgets()
    {
        var budget = new BudgetLimit(BudgetWindow.Day, 100, 0, 0);
        var purpose = new Limits { RequestsPerMinute = 0, TokensPerMinute = 500, Budgets = [budget] };

        var effective = CredentialLimits.Effective(purpose, new Limits { RequestsPerMinute = 7, TokensPerMinute = 900 });

        Assert.Equal(7, effective.RequestsPerMinute);
        Assert.Equal(500, effective.TokensPerMinute);
        Assert.Equal([budget], effective.Budgets);
        Assert.Same(purpose, CredentialLimits.Effective(purpose, null));
    }
}
