using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Revocation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Delivery;

/// <summary>
/// The one place upstream keys are removed. It finds live upstream keys whose credential no longer
/// works by any route — revoked, expired (swept or merely past expiry), covered by a mass revocation
/// (<c>credential_watermark</c>) — and deletes the OpenAI service account or disables the Anthropic
/// key. Failures are retried with exponential backoff; after Broker:Delivery:MaxDeleteAttempts the
/// credential is marked irrevocable (audited, logged as an error). Runs from a Quartz job and, within
/// seconds of a single revocation, from <see cref="Signal"/>; one replica at a time (advisory lock).
/// </summary>
internal sealed partial class UpstreamKeyCleaner(
    NpgsqlDataSource dataSource,
    IServiceScopeFactory scopes,
    DirectDelivery direct,
    UpstreamAdminClient api,
    AuditLog audit,
    IOptions<BrokerOptions> options,
    TimeProvider time,
    ILogger<UpstreamKeyCleaner> logger) : BackgroundService
{
    public const string Job = "upstream-cleanup";
    private const long LockKey = 0x4342_5550_434C_4E52;
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Wakes the cleaner now (after a revocation), instead of at the job's next run.</summary>
    public void Signal()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>Handles every upstream key due now; returns (deleted, failed attempts).</summary>
    public async Task<(int Deleted, int Failed)> CleanAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection))
        {
            if (!(bool)(await tryLock.ExecuteScalarAsync(cancellationToken))!)
            {
                return (0, 0);
            }
        }

        try
        {
            return await CleanDueAsync(cancellationToken);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(stoppingToken);
                await CleanAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or DbUpdateException or TimeoutException)
            {
                LogSweepFailed(logger, ex.Message);
            }
        }
    }

    private async Task<(int Deleted, int Failed)> CleanDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetDbNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
        var due = await (
            from u in db.UpstreamKeys
            join c in db.Credentials on u.CredentialId equals c.Id
            where u.State == UpstreamKey.Live && u.NextAttemptAt <= now
                && (c.Status != CredentialState.Active || c.ExpiresAt <= now
                    || WatermarkFunctions.CredentialWatermark(c.OwnerId, c.PurposeId, c.ProviderName, c.WorkloadId, c.IssuedAt, c.Labels) != null)
            orderby u.NextAttemptAt
            select new { Key = u, c.Prefix })
            .Take(options.Value.BatchSize)
            .ToListAsync(cancellationToken);
        var providerIds = due.Select(d => d.Key.ProviderId).Distinct().ToList();
        var providers = await db.Providers.AsNoTracking().Where(p => providerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var targets = new Dictionary<Guid, Task<AdminTarget>>();
        var (deleted, failed) = (0, 0);
        foreach (var item in due)
        {
            var key = item.Key;
            var provider = providers[key.ProviderId];
            try
            {
                var target = await (targets.TryGetValue(provider.Id, out var cached) ? cached : targets[provider.Id] = direct.TargetAsync(provider, cancellationToken));
                await RemoveAsync(db, target, key, cancellationToken);
                Deleted(db, key, item.Prefix, now);
                deleted++;
            }
            catch (UpstreamAdminException ex)
            {
                Failed(db, key, item.Prefix, ex.Message, now);
                failed++;
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        if (due.Count > 0)
        {
            audit.Committed();
        }

        return (deleted, failed);
    }

    private async Task RemoveAsync(BrokerDbContext db, AdminTarget target, UpstreamKey key, CancellationToken cancellationToken)
    {
        if (key.Kind == UpstreamKey.AnthropicPoolKey)
        {
            await api.DisableApiKeyAsync(target, key.UpstreamId, cancellationToken);
            await db.PoolKeys.Where(k => k.ProviderId == key.ProviderId && k.UpstreamId == key.UpstreamId)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.Status, PoolKey.Disabled), cancellationToken);
        }
        else
        {
            await api.DeleteServiceAccountAsync(target, key.UpstreamId, cancellationToken);
        }
    }

    private void Deleted(BrokerDbContext db, UpstreamKey key, string prefix, DateTimeOffset now)
    {
        (key.State, key.DeletedAt, key.LastError) = (UpstreamKey.Deleted, now, null);
        audit.RecordSystem(db, Job, new AuditEntry("credential.upstream_deleted", "credential", key.CredentialId.ToString(), null, Details(key, prefix)));
    }

    private void Failed(BrokerDbContext db, UpstreamKey key, string prefix, string reason, DateTimeOffset now)
    {
        var o = options.Value.Delivery;
        key.Attempts++;
        key.LastError = SecretScrubber.Scrub(reason);
        if (key.Attempts >= o.MaxDeleteAttempts)
        {
            key.State = UpstreamKey.Irrevocable;
            var details = Details(key, prefix);
            details["attempts"] = key.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
            audit.RecordSystem(db, Job, new AuditEntry("credential.upstream_irrevocable", "credential", key.CredentialId.ToString(), key.LastError, details));
            LogIrrevocable(logger, prefix, key.UpstreamId, key.Attempts, key.LastError);
            return;
        }

        var backoff = o.RetryBackoff * Math.Pow(2, Math.Min(key.Attempts - 1, 30));
        key.NextAttemptAt = now + (backoff < o.MaxRetryBackoff ? backoff : o.MaxRetryBackoff);
        LogRetry(logger, prefix, key.UpstreamId, key.Attempts, key.NextAttemptAt, key.LastError);
    }

    private static Dictionary<string, string> Details(UpstreamKey key, string prefix) => new()
    {
        ["prefix"] = prefix,
        ["upstream_kind"] = key.Kind,
        ["upstream_id"] = key.UpstreamId,
    };

    [LoggerMessage(7111, LogLevel.Warning, "Upstream cleanup: removing {UpstreamId} of credential {Prefix} failed (attempt {Attempt}); retrying at {NextAttemptAt}: {Reason}")]
    private static partial void LogRetry(ILogger logger, string prefix, string upstreamId, int attempt, DateTimeOffset nextAttemptAt, string reason);

    [LoggerMessage(7112, LogLevel.Error, "Upstream cleanup: {UpstreamId} of credential {Prefix} could not be removed after {Attempts} attempts and is marked IRREVOCABLE; the key may still work upstream. Remove it by hand ('brokerctl creds list --irrevocable'). Last error: {Reason}")]
    private static partial void LogIrrevocable(ILogger logger, string prefix, string upstreamId, int attempts, string reason);

    [LoggerMessage(7113, LogLevel.Warning, "Upstream cleanup: a run failed ({Reason}); the job retries on its next run.")]
    private static partial void LogSweepFailed(ILogger logger, string reason);
}
