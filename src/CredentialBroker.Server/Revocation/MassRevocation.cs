using CredentialBroker.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CredentialBroker.Server.Revocation;

/// <summary>
/// Writes a watermark inside the caller's transaction and counts what it covers: the one way a
/// mass revocation is made (RevokeMatching, owner deactivation). After commit, call
/// <see cref="RevocationMarker.Signal"/> so the rows get marked.
/// </summary>
internal static class MassRevocation
{
    public const string Channel = "credentialbroker_revocations";

    /// <summary>Adds <paramref name="watermark"/>, counts the active credentials it newly covers and queues a notification for other replicas.</summary>
    public static async Task<long> WriteAsync(BrokerDbContext db, RevocationWatermark watermark, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A watermark must be written inside the transaction of its audit event.");
        }

        db.RevocationWatermarks.Add(watermark);
        await db.SaveChangesAsync(cancellationToken);
        watermark.MatchedCount = await CountCoveredAsync(db, watermark, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [Channel, watermark.Id.ToString()], cancellationToken);
        await Gateway.ChangeFeed.PublishInTransactionAsync(db, Gateway.ChangeKind.Watermark, watermark.Id, cancellationToken);
        return watermark.MatchedCount;
    }

    /// <summary>
    /// Adds <paramref name="watermark"/> and queues its notification without counting, so the caller can
    /// commit — which is when enforcement starts — without waiting for a count over every matching
    /// row; count with <see cref="CountAfterCommitAsync"/> once committed.
    /// </summary>
    public static async Task WriteUncountedAsync(BrokerDbContext db, RevocationWatermark watermark, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A watermark must be written inside the transaction of its audit event.");
        }

        db.RevocationWatermarks.Add(watermark);
        await db.SaveChangesAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [Channel, watermark.Id.ToString()], cancellationToken);
        await Gateway.ChangeFeed.PublishInTransactionAsync(db, Gateway.ChangeKind.Watermark, watermark.Id, cancellationToken);
    }

    /// <summary>
    /// After the watermark committed: counts the credentials it covers — rows the background marker has
    /// already marked for it included — and records the count on the watermark, in its own transaction.
    /// </summary>
    public static async Task<long> CountAfterCommitAsync(BrokerDbContext db, RevocationWatermark watermark, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var count = await CountCoveredAsync(db, watermark, cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"UPDATE revocation_watermarks SET matched_count = {count} WHERE id = {watermark.Id}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        watermark.MatchedCount = count;
        return count;
    }

    /// <summary>
    /// Unexpired credentials this watermark covers that were active (or are already marked revoked by it)
    /// and that no earlier pending watermark already covers.
    /// </summary>
    private static async Task<long> CountCoveredAsync(BrokerDbContext db, RevocationWatermark watermark, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*)
            FROM credentials c, revocation_watermarks w
            WHERE w.id = $1
              AND (c.status IN ('active', 'suspended') OR c.revocation_id = w.id) AND c.expires_at > w.effective_at
              AND watermark_covers(w, c.owner_id, c.purpose_id, c.provider_name, c.workload_id, c.issued_at, c.labels)
              AND NOT EXISTS (
                  SELECT 1 FROM revocation_watermarks earlier
                  WHERE earlier.id <> w.id AND earlier.effective_at <= w.effective_at AND earlier.marking_completed_at IS NULL
                    AND watermark_covers(earlier, c.owner_id, c.purpose_id, c.provider_name, c.workload_id, c.issued_at, c.labels))
            """, connection, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        command.Parameters.Add(new() { Value = watermark.Id });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
