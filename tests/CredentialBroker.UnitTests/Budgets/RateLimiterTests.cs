using CredentialBroker.Server.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace CredentialBroker.UnitTests.Budgets;

public sealed class RateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Requests_BurstUpToTheLimitThenRefillContinuously()
    {
        var limiter = new RateLimiter(_time);
        IReadOnlyList<RateLimiter.Scope> scopes = [new("credential", Guid.NewGuid(), new Limits { RequestsPerMinute = 60 })];

        for (var i = 0; i < 60; i++)
        {
            Assert.True(limiter.TryAcquire(scopes, 0).IsAllowed, $"call {i}");
        }

        var refused = limiter.TryAcquire(scopes, 0);
        Assert.False(refused.IsAllowed);
        Assert.Contains("credential rate limit of 60 requests per minute", refused.Limit, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(scopes, 0).IsAllowed);
        Assert.False(limiter.TryAcquire(scopes, 0).IsAllowed);
    }

    [Fact]
    public void AllOrNothing_ARefusalByOneScopeTakesNothingFromTheOthers()
    {
        var limiter = new RateLimiter(_time);
        var credential = new RateLimiter.Scope("credential", Guid.NewGuid(), new Limits { TokensPerMinute = 1_000 });
        var owner = new RateLimiter.Scope("owner", Guid.NewGuid(), new Limits { TokensPerMinute = 100 });

        Assert.False(limiter.TryAcquire([credential, owner], 500).IsAllowed);
        // The credential's bucket is still full: 1,000 tokens fit when the owner is not involved.
        Assert.True(limiter.TryAcquire([credential], 1_000).IsAllowed);
    }

    [Fact]
    public void Tokens_UnusedTokensComeBackOnRefund()
    {
        var limiter = new RateLimiter(_time);
        IReadOnlyList<RateLimiter.Scope> scopes = [new("purpose", Guid.NewGuid(), new Limits { TokensPerMinute = 1_000 })];

        Assert.True(limiter.TryAcquire(scopes, 800).IsAllowed);
        Assert.False(limiter.TryAcquire(scopes, 800).IsAllowed);
        limiter.Refund(scopes, 700);
        Assert.True(limiter.TryAcquire(scopes, 800).IsAllowed);
    }

    [Fact]
    public void Tokens_ARequestLargerThanTheWholeLimitIsRefusedWithoutRetryAfter()
    {
        var limiter = new RateLimiter(_time);
        var decision = limiter.TryAcquire([new("owner", Guid.NewGuid(), new Limits { TokensPerMinute = 100 })], 101);

        Assert.False(decision.IsAllowed);
        Assert.Null(decision.RetryAfter);
        Assert.Contains("may use up to 101 tokens", decision.Limit, StringComparison.Ordinal);
    }
}
