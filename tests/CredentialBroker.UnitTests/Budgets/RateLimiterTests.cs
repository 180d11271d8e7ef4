using CredentialBroker.Server.Cluster;
using CredentialBroker.Server.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace CredentialBroker.UnitTests.Budgets;

public sealed class RateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Requests_BurstUpToTheLimitThenRefillContinuously()
    {
        var limiter = new RateLimiter(_time, new LiveReplicas());
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
        var limiter = new RateLimiter(_time, new LiveReplicas());
        var credential = new RateLimiter.Scope("credential", Guid.NewGuid(), new Limits { TokensPerMinute = 1_000 });
        var owner = new RateLimiter.Scope("owner", Guid.NewGuid(), new Limits { TokensPerMinute = 100 });

        Assert.False(limiter.TryAcquire([credential, owner], 500).IsAllowed);
        // The credential's bucket is still full: 1,000 tokens fit when the owner is not involved.
        Assert.True(limiter.TryAcquire([credential], 1_000).IsAllowed);
    }

    [Fact]
    public void Tokens_UnusedTokensComeBackOnRefund()
    {
        var limiter = new RateLimiter(_time, new LiveReplicas());
        IReadOnlyList<RateLimiter.Scope> scopes = [new("purpose", Guid.NewGuid(), new Limits { TokensPerMinute = 1_000 })];

        Assert.True(limiter.TryAcquire(scopes, 800).IsAllowed);
        Assert.False(limiter.TryAcquire(scopes, 800).IsAllowed);
        limiter.Refund(scopes, 700);
        Assert.True(limiter.TryAcquire(scopes, 800).IsAllowed);
    }

    [Fact]
    public void Tokens_ARequestLargerThanTheWholeLimitIsRefusedWithoutRetryAfter()
    {
        var limiter = new RateLimiter(_time, new LiveReplicas());
        var decision = limiter.TryAcquire([new("owner", Guid.NewGuid(), new Limits { TokensPerMinute = 100 })], 101);

        Assert.False(decision.IsAllowed);
        Assert.Null(decision.RetryAfter);
        Assert.Contains("may use up to 101 tokens", decision.Limit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(600, 1, 600)]
    [InlineData(600, 3, 200)]
    [InlineData(100, 3, 33.333333333333336)]
    [InlineData(2, 3, 0.6666666666666666)]
    [InlineData(600, 0, 600)]
    public void Share_IsTheLimitDividedAmongLiveReplicas(long limit, int replicas, double share) =>
        Assert.Equal(share, LiveReplicas.Share(limit, replicas));

    [Fact]
    public void Requests_WithThreeLiveReplicas_ThisReplicaBurstsAndRefillsAtAThird()
    {
        var live = new LiveReplicas();
        live.Set(3);
        var limiter = new RateLimiter(_time, live);
        IReadOnlyList<RateLimiter.Scope> scopes = [new("purpose", Guid.NewGuid(), new Limits { RequestsPerMinute = 60 })];

        for (var i = 0; i < 20; i++)
        {
            Assert.True(limiter.TryAcquire(scopes, 0).IsAllowed, $"call {i}");
        }

        var refused = limiter.TryAcquire(scopes, 0);
        Assert.False(refused.IsAllowed);
        Assert.Contains("purpose rate limit of 60 requests per minute", refused.Limit, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(3), refused.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(limiter.TryAcquire(scopes, 0).IsAllowed);
        Assert.False(limiter.TryAcquire(scopes, 0).IsAllowed);
    }

    [Fact]
    public void Requests_WhenReplicasLeave_TheShareGrowsAndWhenTheyJoinItShrinks()
    {
        var live = new LiveReplicas();
        live.Set(2);
        var limiter = new RateLimiter(_time, live);
        IReadOnlyList<RateLimiter.Scope> scopes = [new("owner", Guid.NewGuid(), new Limits { RequestsPerMinute = 60 })];
        for (var i = 0; i < 30; i++)
        {
            Assert.True(limiter.TryAcquire(scopes, 0).IsAllowed);
        }

        Assert.False(limiter.TryAcquire(scopes, 0).IsAllowed);

        // Alone now: refills at the whole limit (one per second) up to the whole minute.
        live.Set(1);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(scopes, 0).IsAllowed);
        _time.Advance(TimeSpan.FromMinutes(5));
        live.Set(4);

        // Four replicas: a full bucket holds a quarter of the minute.
        for (var i = 0; i < 15; i++)
        {
            Assert.True(limiter.TryAcquire(scopes, 0).IsAllowed, $"call {i}");
        }

        Assert.False(limiter.TryAcquire(scopes, 0).IsAllowed);
    }

    [Fact]
    public void Tokens_ACallLargerThanTheShareButWithinTheLimit_IsAdmittedFromAFullBucketAndLeavesDebt()
    {
        var live = new LiveReplicas();
        live.Set(3);
        var limiter = new RateLimiter(_time, live);
        IReadOnlyList<RateLimiter.Scope> scopes = [new("purpose", Guid.NewGuid(), new Limits { TokensPerMinute = 3_000 })];

        // Share: 1,000 tokens a minute. 2,500 fits the limit, so it must not be impossible.
        Assert.True(limiter.TryAcquire(scopes, 2_500).IsAllowed);

        // The bucket is 1,500 in debt: full again (1,000) only after 2.5 minutes.
        var refused = limiter.TryAcquire(scopes, 10);
        Assert.False(refused.IsAllowed);
        Assert.Equal(TimeSpan.FromMinutes(1.51), refused.RetryAfter);
        _time.Advance(TimeSpan.FromSeconds(150));
        Assert.True(limiter.TryAcquire(scopes, 1_000).IsAllowed);
    }
}
