using CredentialBroker.Server.Governance;

namespace CredentialBroker.UnitTests.Governance;

public sealed class StaleSweeperTests
{
    [Theory]
    [InlineData("7.00:00:00", "7 days")]
    [InlineData("1.00:00:00", "1 day")]
    [InlineData("1.12:00:00", "36 hours")]
    [InlineData("01:30:00", "90 minutes")]
    public void Describe_ReadsLikeTheAuditReason(string span, string expected) =>
        Assert.Equal(expected, StaleSweeper.Describe(TimeSpan.Parse(span, System.Globalization.CultureInfo.InvariantCulture)));
}
