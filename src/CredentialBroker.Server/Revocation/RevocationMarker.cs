using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Revocation;

/// <summary>
/// Marks the credential rows that a mass revocation covers, in bounded batches. Enforcement never
/// waits for it (the watermark already revokes); it only makes the rows tell the truth on their
/// own. Progress is the rows themselves, so after a crash any replica picks up where it stopped.
/// </summary>
internal sealed class RevocationMarker(
    NpgsqlDataSource dataSource,
    IServiceScopeFactory scopes,
    AuditLog audit,
    IOptions<BrokerOptions> options,
    TimeProvider time,
    ILogger<RevocationMarker> logger) : BackgroundService
{
    private const long MarkerLockKey = 0x4342_5245_564D_524B;
    private static readonly TimeSpan _pollInterval = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    /// <summary>Marks rows of pending watermarks until none is left; returns rows marked.</summary>
    public async Task<long> MarkPendingAsync(CancellationToken cancellationToken)
    {
        // One marker at a time across replicas; the others find nothing to do and poll again.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_lock({MarkerLockKey})", connection))
        {
            if (!(bool)(await tryLock.ExecuteScalarAsync(cancellationToken))!)
            {
                return 0;
            }
        }

        try
        {
            return await MarkAllAsync(connection, cancellationToken);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({MarkerLockKey})", connection);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    private async Task<long> MarkAllAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        long total = 0;
        while (await NextPendingAsync(connection, cancellationToken) is { } watermarkId)
        {
            while (true)
            {
                var marked = await MarkBatchAsync(connection, watermarkId, cancellationToken);
                total += marked;
                if (marked < options.Value.BatchSize)
                {
                    break;
                }
            }

            await CompleteAsync(watermarkId, cancellationToken);
        }

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await MarkPendingAsync(stoppingToken);
                await _signal.WaitAsync(_pollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                RevocationLog.MarkingFailed(logger, ex);
                await Task.Delay(_pollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static async Task<Guid?> NextPendingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id FROM revocation_watermarks WHERE marking_completed_at IS NULL ORDER BY effective_at, id LIMIT 1", connection);
        return await command.ExecuteScalarAsync(cancellationToken) as Guid?;
    }

    private async Task<int> MarkBatchAsync(NpgsqlConnection connection, Guid watermarkId, CancellationToken cancellationToken)
    {
        // FOR UPDATE (not SKIP LOCKED): a row held by a renewal is waited for, never skipped.
        await using var command = new NpgsqlCommand(
            """
            WITH w AS (SELECT * FROM revocation_watermarks WHERE id = $1),
            batch AS (
                SELECT c.id FROM credentials c, w
                WHERE c.status IN ('active', 'suspended')
                  AND watermark_covers(w, c.owner_id, c.purpose_id, c.provider_name, c.workload_id, c.issued_at, c.labels)
                LIMIT $2
                FOR UPDATE OF c),
            marked AS (
                UPDATE credentials c
                SET status = 'revoked', revoked_at = w.effective_at, revocation_reason = w.reason, revocation_id = w.id
                FROM batch, w
                WHERE c.id = batch.id
                RETURNING c.id)
            UPDATE revocation_watermarks SET marked_count = marked_count + (SELECT count(*) FROM marked)
            WHERE id = $1
            RETURNING (SELECT count(*) FROM marked)
            """, connection);
        command.Parameters.Add(new() { Value = watermarkId });
        command.Parameters.Add(new() { Value = options.Value.BatchSize });
        var marked = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return (int)marked;
    }

    private async Task CompleteAsync(Guid watermarkId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
        var watermark = await db.RevocationWatermarks.FindAsync([watermarkId], cancellationToken);
        if (watermark is null || watermark.MarkingCompletedAt is not null)
        {
            return;
        }

        watermark.MarkingCompletedAt = time.GetDbNow();
        audit.RecordSystem(db, "revocation-marker", new AuditEntry("revocation.marking_completed", "revocation", watermarkId.ToString(), null, new Dictionary<string, string>
        {
            ["marked_count"] = watermark.MarkedCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        await db.SaveChangesAsync(cancellationToken);
        audit.Committed();
        RevocationLog.MarkingCompleted(logger, watermarkId, watermark.MarkedCount);
    }
}
