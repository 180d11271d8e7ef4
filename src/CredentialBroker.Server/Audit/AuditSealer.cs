using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Audit;

/// <summary>
/// Seals committed audit events into the hash chain in batches, shortly after they commit, so
/// writers never wait on one another for the chain. Only events whose transaction is older than
/// every running transaction are sealed, so an event that commits late is chained after the
/// events sealed before it rather than being skipped. One replica seals at a time (advisory lock).
/// </summary>
internal sealed class AuditSealer(NpgsqlDataSource dataSource, IOptions<BrokerOptions> options, ILogger<AuditSealer> logger) : BackgroundService
{
    private const long SealLockKey = 0x4342_4155_4449_5453;
    private const int BatchSize = 2000;

    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Asks for a seal soon (events were committed).</summary>
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
            // Already signalled.
        }
    }

    /// <summary>Seals everything sealable now; returns how many events were sealed.</summary>
    public async Task<int> SealAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var sealedNow = await SealBatchAsync(cancellationToken);
            total += sealedNow;
            if (sealedNow < BatchSize)
            {
                return total;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(options.Value.AuditSealInterval, stoppingToken);
                // Let concurrent writers commit so one batch covers them.
                await Task.Delay(TimeSpan.FromMilliseconds(50), stoppingToken);
                await SealAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                AuditLogMessages.SealFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<int> SealBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({SealLockKey})", connection, transaction))
        {
            if (!(bool)(await lockCommand.ExecuteScalarAsync(cancellationToken))!)
            {
                return 0; // another replica is sealing
            }
        }

        long lastSeq = 0;
        var previous = AuditChain.Genesis;
        await using (var head = new NpgsqlCommand("SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1", connection, transaction))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                lastSeq = reader.GetInt64(0);
                previous = (byte[])reader[1];
            }
        }

        var ids = new List<long>();
        var seqs = new List<long>();
        var prevs = new List<byte[]>();
        var hashes = new List<byte[]>();
        await using (var pending = new NpgsqlCommand(
            $"""
            SELECT {AuditEventReader.Columns}
            FROM audit_events
            WHERE seq IS NULL AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY id
            LIMIT $1
            """, connection, transaction))
        {
            pending.Parameters.Add(new() { Value = BatchSize });
            await using var reader = await pending.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var fields = AuditEventReader.Read(reader, ++lastSeq);
                var hash = AuditChain.Hash(previous, fields);
                ids.Add(fields.Id);
                seqs.Add(fields.Seq);
                prevs.Add(previous);
                hashes.Add(hash);
                previous = hash;
            }
        }

        if (ids.Count == 0)
        {
            return 0;
        }

        await using (var update = new NpgsqlCommand(
            """
            UPDATE audit_events AS e SET seq = s.seq, prev_hash = s.prev_hash, hash = s.hash
            FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[]) AS s(id, seq, prev_hash, hash)
            WHERE e.id = s.id
            """, connection, transaction))
        {
            update.Parameters.Add(new() { Value = ids.ToArray() });
            update.Parameters.Add(new() { Value = seqs.ToArray() });
            update.Parameters.Add(new() { Value = prevs.ToArray() });
            update.Parameters.Add(new() { Value = hashes.ToArray() });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        AuditLogMessages.Sealed(logger, lastSeq, Convert.ToHexStringLower(previous));
        return ids.Count;
    }
}
