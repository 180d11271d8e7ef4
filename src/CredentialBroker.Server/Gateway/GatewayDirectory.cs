using System.Collections.Concurrent;
using System.Security.Cryptography;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Policy;
using CredentialBroker.Server.Providers;
using CredentialBroker.Server.Revocation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Gateway;

/// <summary>A credential as the gateway needs it on every call.</summary>
internal sealed record GatewayCredential(
    Guid Id, string Prefix, Guid OwnerId, Guid PurposeId, Guid WorkloadId, string WorkloadIdentity,
    Guid ProviderId, string ProviderName, IReadOnlyList<string> Models, CredentialState Status,
    DateTimeOffset ExpiresAt, bool RevokedByWatermark, Limits? NarrowedLimits = null, Guid? SuspendedBy = null)
{
    /// <summary>The credential's own budgets (a delegated credential's carved-out budget).</summary>
    public Limits OwnLimits { get; init; } = Limits.None;

    /// <summary>Endpoints the credential is scoped to; empty: the purpose's allowance.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>Parent, grandparent, ... root of a delegated credential (empty when issued directly).</summary>
    public IReadOnlyList<ChainLink> Ancestors { get; init; } = [];
}

/// <summary>A purpose's rules as the gateway needs them.</summary>
internal sealed record GatewayPurpose(Guid Id, string Name, RiskTier RiskTier, IReadOnlyList<string> AllowedModels, GatewayPolicy Policy);

/// <summary>A live (approved) tool approval of a workload for a purpose.</summary>
internal sealed record GatewayApproval(Guid Id, IReadOnlyList<string> Tools, DateTimeOffset ExpiresAt);

/// <summary>An owner's state and limits.</summary>
internal sealed record GatewayOwner(Guid Id, bool Active, Limits Limits);

/// <summary>A provider with its decrypted root key (memory only; never logged).</summary>
internal sealed record GatewayProvider(Guid Id, string Name, string Kind, string BaseUrl, string? RootKey, IReadOnlyList<ModelPrice> Prices, string? RootKeyError = null, bool FromVault = false)
{
    /// <summary>Hides the root key from any accidental formatting.</summary>
    public override string ToString() => $"GatewayProvider {{ Name = {Name}, Kind = {Kind}, BaseUrl = {BaseUrl} }}";
}

/// <summary>
/// Cached reads of what the gateway checks on every call. Entries are evicted by
/// <see cref="ChangeFeed"/> announcements from any replica (revocation reaches every replica as
/// fast as NOTIFY travels) and expire after <see cref="GatewayOptions.CacheTtl"/> in any case.
/// While the feed is not listening, nothing is cached. A lookup that raced with a change is not
/// cached (generation check), so a revocation can never be overwritten by a stale read.
/// </summary>
internal sealed class GatewayDirectory : IDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ChangeFeed _changes;
    private readonly RootKeySource _rootKeys;
    private readonly GatewayOptions _options;
    private readonly ConcurrentDictionary<Guid, string> _keyByCredential = new();

    // Cached delegated credentials by each of their ancestors: a change to a parent (suspended,
    // revoked, reinstated) evicts its descendants too, since they carry the parent's state.
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Guid, byte>> _descendantsByAncestor = new();

    // The two maps above are not pruned when the cache drops an entry by size or age; credentials
    // cached since the last clear are counted, and past twice the cache size all are dropped at once.
    private long _cachedSinceClear;
    private MemoryCache _credentials;
    private readonly ConcurrentDictionary<Guid, Entry<GatewayPurpose>> _purposes = new();
    private readonly ConcurrentDictionary<Guid, Entry<GatewayOwner>> _owners = new();
    private readonly ConcurrentDictionary<Guid, Entry<GatewayProvider>> _providers = new();
    private readonly ConcurrentDictionary<(Guid Workload, Guid Purpose), Entry<IReadOnlyList<GatewayApproval>>> _approvals = new();
    private readonly TimeProvider _time;
    private long _generation;

    public GatewayDirectory(IServiceScopeFactory scopes, ChangeFeed changes, RootKeySource rootKeys, IOptions<BrokerOptions> options, TimeProvider time)
    {
        _time = time;
        _scopes = scopes;
        _changes = changes;
        _rootKeys = rootKeys;
        _options = options.Value.Gateway;
        _credentials = NewCache();
        _changes.Changed += OnChanged;
    }

    /// <summary>The credential whose secret hashes to <paramref name="hash"/>, or null.</summary>
    public async Task<GatewayCredential?> FindCredentialAsync(byte[] hash, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(hash);
        if (_changes.IsListening && _credentials.TryGetValue(key, out GatewayCredential? cached))
        {
            return cached;
        }

        var generation = Interlocked.Read(ref _generation);
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
        var row = await (
            from c in db.Credentials.AsNoTracking()
            where c.SecretHash == hash
            join w in db.Workloads on c.WorkloadId equals w.Id
            select new
            {
                Credential = c,
                WorkloadIdentity = w.Identity,
                WatermarkId = c.Status == CredentialState.Active || c.Status == CredentialState.Suspended
                    ? WatermarkFunctions.CredentialWatermark(c.OwnerId, c.PurposeId, c.ProviderName, c.WorkloadId, c.IssuedAt, c.Labels)
                    : null,
            }).FirstOrDefaultAsync(cancellationToken);
        if (row is null || !CryptographicOperations.FixedTimeEquals(row.Credential.SecretHash, hash))
        {
            return null;
        }

        var r = row.Credential;
        var ancestors = r.ParentId is { } parentId
            ? await CredentialChain.LoadAsync(scope.ServiceProvider.GetRequiredService<Npgsql.NpgsqlDataSource>(), parentId, cancellationToken)
            : [];
        var found = new GatewayCredential(r.Id, r.Prefix, r.OwnerId, r.PurposeId, r.WorkloadId, row.WorkloadIdentity, r.ProviderId, r.ProviderName,
            r.Models, r.Status, r.ExpiresAt, row.WatermarkId is not null, r.NarrowedLimits, r.SuspendedBy)
        {
            OwnLimits = r.Limits,
            Endpoints = r.Endpoints,
            Ancestors = ancestors,
        };
        if (CanCache(generation))
        {
            _keyByCredential[r.Id] = key;
            foreach (var ancestor in ancestors)
            {
                _descendantsByAncestor.GetOrAdd(ancestor.Id, _ => new())[r.Id] = 0;
            }

            _credentials.Set(key, found, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Ttl });
            if (Interlocked.Increment(ref _cachedSinceClear) > 2L * _options.CacheSize)
            {
                ClearCredentials();
            }
        }

        return found;
    }

    public Task<GatewayPurpose> GetPurposeAsync(Guid id, CancellationToken cancellationToken) =>
        GetAsync(_purposes, id, async db =>
        {
            var p = await db.Purposes.AsNoTracking().FirstAsync(p => p.Id == id, cancellationToken);
            return new GatewayPurpose(p.Id, p.Name, p.RiskTier, p.AllowedModels, p.Gateway);
        });

    public Task<GatewayOwner> GetOwnerAsync(Guid id, CancellationToken cancellationToken) =>
        GetAsync(_owners, id, async db =>
        {
            var o = await db.Owners.AsNoTracking().FirstAsync(o => o.Id == id, cancellationToken);
            return new GatewayOwner(o.Id, o.Active, o.Limits);
        });

    /// <summary>
    /// The provider with its root key. A key from Vault is re-read after Broker:Vault:RootKeyCacheTtl
    /// (an unpinned reference then picks up a new version); a call keeps the key it started with.
    /// </summary>
    public Task<GatewayProvider> GetProviderAsync(Guid id, CancellationToken cancellationToken) =>
        GetAsync(_providers, id, async db =>
        {
            var p = await db.Providers.AsNoTracking().FirstAsync(p => p.Id == id, cancellationToken);
            if (p.RootKeyEnvelope is null && p.RootKeyRef is null)
            {
                return new GatewayProvider(p.Id, p.Name, p.Kind, p.BaseUrl, null, p.Prices, "no root key is stored for it");
            }

            try
            {
                var key = await _rootKeys.ResolveAsync(p.Name, p.RootKeyEnvelope, p.RootKeyRef, cancellationToken);
                return new GatewayProvider(p.Id, p.Name, p.Kind, p.BaseUrl, key, p.Prices, FromVault: p.RootKeyRef is not null);
            }
            catch (Providers.Vault.VaultException ex)
            {
                return new GatewayProvider(p.Id, p.Name, p.Kind, p.BaseUrl, null, p.Prices, "its root key cannot be read from Vault: " + ex.Message, FromVault: true);
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or InvalidOperationException)
            {
                return new GatewayProvider(p.Id, p.Name, p.Kind, p.BaseUrl, null, p.Prices, "its root key cannot be decrypted with the configured master key");
            }
        }, p => p.FromVault ? (p.RootKey is null ? TimeSpan.Zero : Min(Ttl, _rootKeys.VaultCacheTtl)) : Ttl);

    /// <summary>
    /// Approvals of <paramref name="workloadId"/> for <paramref name="purposeId"/> that were approved and
    /// unexpired when loaded; callers check <see cref="GatewayApproval.ExpiresAt"/> against their own now,
    /// so an expiry takes effect without any announcement.
    /// </summary>
    public Task<IReadOnlyList<GatewayApproval>> GetApprovalsAsync(Guid workloadId, Guid purposeId, CancellationToken cancellationToken) =>
        GetAsync(_approvals, (workloadId, purposeId), async db =>
        {
            var now = _time.GetUtcNow();
            var rows = await db.ToolApprovals.AsNoTracking()
                .Where(a => a.WorkloadId == workloadId && a.PurposeId == purposeId && a.Status == Approvals.ApprovalState.Approved && a.ExpiresAt > now)
                .Select(a => new { a.Id, a.Tools, a.ExpiresAt })
                .ToListAsync(cancellationToken);
            return (IReadOnlyList<GatewayApproval>)rows.Select(a => new GatewayApproval(a.Id, a.Tools, a.ExpiresAt!.Value)).ToList();
        });

    public void Dispose()
    {
        _changes.Changed -= OnChanged;
        _credentials.Dispose();
    }

    private TimeSpan Ttl => _options.CacheTtl;

    private bool CanCache(long generation) =>
        _changes.IsListening && Ttl > TimeSpan.Zero && Interlocked.Read(ref _generation) == generation;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task<T> GetAsync<TKey, T>(ConcurrentDictionary<TKey, Entry<T>> cache, TKey id, Func<BrokerDbContext, Task<T>> load, Func<T, TimeSpan>? ttl = null)
        where TKey : notnull
        where T : class
    {
        if (_changes.IsListening && cache.TryGetValue(id, out var cached) && Environment.TickCount64 - cached.LoadedAt < cached.TtlMs)
        {
            return cached.Value;
        }

        var generation = Interlocked.Read(ref _generation);
        await using var scope = _scopes.CreateAsyncScope();
        var value = await load(scope.ServiceProvider.GetRequiredService<BrokerDbContext>());
        var keep = ttl?.Invoke(value) ?? Ttl;
        if (CanCache(generation) && keep > TimeSpan.Zero)
        {
            cache[id] = new Entry<T>(value, Environment.TickCount64, (long)keep.TotalMilliseconds);
        }

        return value;
    }

    private void OnChanged(ChangeKind kind, Guid? id)
    {
        Interlocked.Increment(ref _generation);
        switch (kind)
        {
            case ChangeKind.Credential when id is { } credentialId:
                EvictCredential(credentialId);
                if (_descendantsByAncestor.TryRemove(credentialId, out var descendants))
                {
                    foreach (var descendant in descendants.Keys)
                    {
                        EvictCredential(descendant);
                    }
                }

                break;
            case ChangeKind.Purpose when id is { } purposeId:
                _purposes.TryRemove(purposeId, out _);
                break;
            case ChangeKind.Owner when id is { } ownerId:
                _owners.TryRemove(ownerId, out _);
                break;
            case ChangeKind.Provider when id is { } providerId:
                _providers.TryRemove(providerId, out _);
                break;
            case ChangeKind.Approval when id is { } workloadId:
                foreach (var approvalKey in _approvals.Keys.Where(k => k.Workload == workloadId))
                {
                    _approvals.TryRemove(approvalKey, out _);
                }

                break;
            default:
                ClearAll();
                break;
        }
    }

    private void EvictCredential(Guid credentialId)
    {
        if (_keyByCredential.TryRemove(credentialId, out var key))
        {
            _credentials.Remove(key);
        }
    }

    private void ClearAll()
    {
        ClearCredentials();
        _purposes.Clear();
        _owners.Clear();
        _providers.Clear();
        _approvals.Clear();
    }

    private void ClearCredentials()
    {
        Interlocked.Exchange(ref _cachedSinceClear, 0);
        // Emptied, not disposed: a lookup may still be reading the old cache (a disposed one throws).
        Interlocked.Exchange(ref _credentials, NewCache()).Clear();
        _keyByCredential.Clear();
        _descendantsByAncestor.Clear();
    }

    private MemoryCache NewCache() => new(new MemoryCacheOptions { SizeLimit = _options.CacheSize });

    /// <summary>A cached value, when (monotonic milliseconds) it was loaded and how long it may be reused.</summary>
    private sealed record Entry<T>(T Value, long LoadedAt, long TtlMs);
}
