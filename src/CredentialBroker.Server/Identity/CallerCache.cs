using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.Server.Identity;

/// <summary>
/// Recently authenticated access tokens, so a busy workload's calls do not each read the token,
/// its workload and its owner. Only successes are kept, keyed by the token's SHA-256, for at most
/// <see cref="MaxAge"/>. The whole cache is dropped on every change the <see cref="ChangeFeed"/>
/// announces except single-credential ones (an owner deactivated, a workload deregistered or any
/// mass revocation writes a watermark), it is bypassed while the feed is not listening, and an
/// entry never outlives its token's expiry. A result read while a change arrived is not kept.
/// </summary>
internal sealed class CallerCache
{
    /// <summary>The longest a cached authentication is trusted without a notification.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<TokenHash, Entry> _entries = new();
    private readonly ChangeFeed _changes;
    private readonly TimeProvider _time;
    private long _generation;

    public CallerCache(ChangeFeed changes, TimeProvider time)
    {
        _changes = changes;
        _time = time;
        changes.Changed += (kind, _) =>
        {
            if (kind != ChangeKind.Credential)
            {
                Interlocked.Increment(ref _generation);
                _entries.Clear();
            }
        };
    }

    /// <summary>The current generation; pass it to <see cref="Remember"/> with a result read after it.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(byte[] tokenHash, out Caller caller)
    {
        caller = Caller.Anonymous;
        if (!_changes.IsListening || !_entries.TryGetValue(new TokenHash(tokenHash), out var entry))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        if (now >= entry.TokenExpiresAt || now - entry.CachedAt > MaxAge)
        {
            _entries.TryRemove(new TokenHash(tokenHash), out _);
            return false;
        }

        caller = entry.Caller;
        return true;
    }

    public void Remember(byte[] tokenHash, Caller caller, DateTimeOffset tokenExpiresAt, long generation)
    {
        if (!_changes.IsListening)
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[new TokenHash(tokenHash)] = new Entry(caller, tokenExpiresAt, _time.GetUtcNow());
        if (Generation != generation)
        {
            // A change arrived while the token was being read: the result may be stale.
            _entries.TryRemove(new TokenHash(tokenHash), out _);
        }
    }

    private sealed record Entry(Caller Caller, DateTimeOffset TokenExpiresAt, DateTimeOffset CachedAt);

    /// <summary>A SHA-256 as a dictionary key: compared in full, hashed by its first bytes.</summary>
    private readonly struct TokenHash(byte[] bytes) : IEquatable<TokenHash>
    {
        private readonly byte[] _bytes = bytes;

        public bool Equals(TokenHash other) => _bytes.AsSpan().SequenceEqual(other._bytes);

        public override bool Equals(object? obj) => obj is TokenHash other && Equals(other);

        public override int GetHashCode() => MemoryMarshal.Read<int>(_bytes);
    }
}
