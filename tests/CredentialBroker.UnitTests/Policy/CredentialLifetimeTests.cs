using CredentialBroker.Server.Policy;

namespace CredentialBroker.UnitTests.Policy;

public sealed class CredentialLifetimeTests
{
    private static readonly DateTimeOffset _now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static Purpose Purpose() => new()
    {
        Name = "p",
        Description = "d",
        DefaultTtl = TimeSpan.FromMinutes(15),
        MaxTtl = TimeSpan.FromHours(1),
        MaxLifetime = TimeSpan.FromHours(4),
    };

    [Fact]
    public void ForIssue_NoTtl_UsesPurposeDefault() =>
        Assert.Equal(_now.AddMinutes(15), CredentialLifetime.ForIssue(Purpose(), null, _now).ExpiresAt);

    [Fact]
    public void ForIssue_TtlAboveMax_IsClampedToMaxTtl() =>
        Assert.Equal(_now.AddHours(1), CredentialLifetime.ForIssue(Purpose(), TimeSpan.FromDays(2), _now).ExpiresAt);

    [Fact]
    public void ForIssue_MaxExpiresAtIsIssuePlusMaxLifetime() =>
        Assert.Equal(_now.AddHours(4), CredentialLifetime.ForIssue(Purpose(), null, _now).MaxExpiresAt);

    [Fact]
    public void ForRenewal_NearEndOfLife_StopsAtMaxExpiresAt()
    {
        var maxExpiresAt = _now.AddMinutes(20);
        Assert.Equal(maxExpiresAt, CredentialLifetime.ForRenewal(Purpose(), TimeSpan.FromHours(1), _now, maxExpiresAt));
    }

    [Fact]
    public void ForRenewal_PropertyNeverPastMaxExpiresAtNorPastMaxTtl()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var requested = random.Next(2) == 0 ? (TimeSpan?)null : TimeSpan.FromSeconds(random.Next(60, 30 * 24 * 3600));
            var maxExpiresAt = _now.AddSeconds(random.Next(1, 8 * 3600));
            var renewed = CredentialLifetime.ForRenewal(Purpose(), requested, _now, maxExpiresAt);
            Assert.True(renewed <= maxExpiresAt);
            Assert.True(renewed - _now <= TimeSpan.FromHours(1));
        }
    }
}
