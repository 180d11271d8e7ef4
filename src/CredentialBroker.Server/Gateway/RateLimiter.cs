using System.Collections.Concurrent;
using CredentialBroker.Server.Cluster;

namespace CredentialBroker.Server.Gateway;

/// <summary>
/// Token buckets per scope (credential, purpose, owner) for requests/min and tokens/min: a bucket
/// holds up to one minute's allowance and refills continuously. A call takes one request and its
/// worst-case tokens from every bucket that applies, all or nothing, and gets unused tokens back
/// when it is settled. Buckets live in this replica's memory, sized to this replica's share of the
/// limit (limit / live replicas, <see cref="LiveReplicas"/>), so the replicas together admit the
/// limit when load is spread over them (see docs/ARCHITECTURE.md). A call larger than the share but
/// within the whole limit is admitted when the bucket is full and leaves it in debt, so the share
/// never makes a call impossible and the rate over time still holds.
/// </summary>
internal sealed class RateLimiter(TimeProvider time, LiveReplicas replicas)
{
    private const int MaxIdleBuckets = 100_000;
    private readonly ConcurrentDictionary<(string Scope, Guid Id, bool Tokens), Bucket> _buckets = new();

    /// <summary>One scope's limits for a call.</summary>
    public readonly record struct Scope(string Name, Guid Id, Limits Limits);

    /// <summary>Takes the call's share from every bucket, or nothing; on refusal says which limit and when to retry.</summary>
    public RateDecision TryAcquire(IReadOnlyList<Scope> scopes, long tokens)
    {
        var now = time.GetTimestamp();
        var live = replicas.Count;
        var taken = new List<(Bucket Bucket, double Amount)>(scopes.Count * 2);
        foreach (var scope in scopes)
        {
            if (scope.Limits.RequestsPerMinute > 0 && !Take(Get(scope, false, live), LiveReplicas.Share(scope.Limits.RequestsPerMinute, live), 1, now, taken, out var wait))
            {
                Return(taken);
                return RateDecision.Refused($"{scope.Name} rate limit of {scope.Limits.RequestsPerMinute} requests per minute", wait);
            }

            if (scope.Limits.TokensPerMinute > 0)
            {
                if (tokens > scope.Limits.TokensPerMinute)
                {
                    Return(taken);
                    return RateDecision.Refused(
                        $"{scope.Name} rate limit of {scope.Limits.TokensPerMinute} tokens per minute (this request may use up to {tokens} tokens; lower max_tokens or send less)", null);
                }

                if (!Take(Get(scope, true, live), LiveReplicas.Share(scope.Limits.TokensPerMinute, live), tokens, now, taken, out wait))
                {
                    Return(taken);
                    return RateDecision.Refused($"{scope.Name} rate limit of {scope.Limits.TokensPerMinute} tokens per minute", wait);
                }
            }
        }

        Trim();
        return RateDecision.Allowed;
    }

    /// <summary>Gives back tokens a call reserved but did not use.</summary>
    public void Refund(IReadOnlyList<Scope> scopes, long tokens)
    {
        if (tokens <= 0)
        {
            return;
        }

        var live = replicas.Count;
        foreach (var scope in scopes.Where(s => s.Limits.TokensPerMinute > 0))
        {
            if (_buckets.TryGetValue((scope.Name, scope.Id, true), out var bucket))
            {
                lock (bucket)
                {
                    bucket.Level = Math.Min(LiveReplicas.Share(scope.Limits.TokensPerMinute, live), bucket.Level + tokens);
                }
            }
        }
    }

    private Bucket Get(Scope scope, bool tokens, int live) =>
        _buckets.GetOrAdd((scope.Name, scope.Id, tokens), static (_, capacity) => new Bucket { Level = capacity, Stamp = long.MinValue },
            LiveReplicas.Share(tokens ? scope.Limits.TokensPerMinute : scope.Limits.RequestsPerMinute, live));

    /// <summary>Refills <paramref name="bucket"/> at <paramref name="perMinute"/> (this replica's share) and takes <paramref name="amount"/> if it fits.</summary>
    private bool Take(Bucket bucket, double perMinute, double amount, long now, List<(Bucket, double)> taken, out TimeSpan wait)
    {
        lock (bucket)
        {
            if (bucket.Stamp != long.MinValue)
            {
                var elapsed = time.GetElapsedTime(bucket.Stamp, now).TotalMinutes;
                bucket.Level = Math.Min(perMinute, bucket.Level + (elapsed * perMinute));
            }
            else
            {
                bucket.Level = Math.Min(bucket.Level, perMinute);
            }

            bucket.Stamp = now;
            var needed = Math.Min(amount, perMinute);
            if (bucket.Level >= needed)
            {
                bucket.Level -= amount;
                taken.Add((bucket, amount));
                wait = TimeSpan.Zero;
                return true;
            }

            wait = TimeSpan.FromMinutes((needed - bucket.Level) / perMinute);
            return false;
        }
    }

    private static void Return(List<(Bucket Bucket, double Amount)> taken)
    {
        foreach (var (bucket, amount) in taken)
        {
            lock (bucket)
            {
                bucket.Level += amount;
            }
        }
    }

    private void Trim()
    {
        if (_buckets.Count <= MaxIdleBuckets)
        {
            return;
        }

        // Buckets untouched for over a minute are full again and can be forgotten.
        var now = time.GetTimestamp();
        foreach (var (key, bucket) in _buckets)
        {
            if (time.GetElapsedTime(bucket.Stamp, now) > TimeSpan.FromMinutes(1))
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed class Bucket
    {
        public double Level;
        public long Stamp;
    }
}

/// <summary>The outcome of <see cref="RateLimiter.TryAcquire"/>.</summary>
internal readonly record struct RateDecision(bool IsAllowed, string? Limit, TimeSpan? RetryAfter)
{
    public static readonly RateDecision Allowed = new(true, null, null);

    public static RateDecision Refused(string limit, TimeSpan? retryAfter) => new(false, limit, retryAfter);
}
