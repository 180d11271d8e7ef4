using System.Threading.Channels;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace CredentialBroker.Server.Gateway;

/// <summary>One metered call, ready to be written and settled.</summary>
internal sealed record UsageRecord(
    DateTimeOffset OccurredAt, GatewayCredential Credential, string Endpoint, string Model, int StatusCode, string Outcome, bool Streamed,
    long InputTokens, long CachedInputTokens, long OutputTokens, long CostMicroUsd, string UsageSource, int LatencyMs,
    string? CallerIdentity, int CallDepth, Guid? ReservationId, string? PromptFingerprint = null);

/// <summary>
/// Writes usage events in batches and settles their budget reservations in the same transaction,
/// so spend and the event that explains it never disagree. A failed batch is retried, not
/// dropped; on graceful shutdown everything queued is written before the process ends.
/// </summary>
internal sealed partial class UsageRecorder(
    NpgsqlDataSource dataSource, IServiceScopeFactory scopes, AuditLog audit, IOptions<BrokerOptions> options, TimeProvider time, Telemetry.BrokerMetrics metrics, ILogger<UsageRecorder> logger)
    : BackgroundService
{
    private readonly Channel<UsageRecord> _queue = Channel.CreateUnbounded<UsageRecord>();
    private readonly GatewayOptions _options = options.Value.Gateway;
    private long _pending;

    /// <summary>Events accepted but not yet written.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public void Record(UsageRecord record)
    {
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(record))
        {
            // Only after shutdown began; written directly so it is not lost.
            WriteWithRetryAsync([record], CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    /// <summary>Waits until every event recorded so far is written (tests and shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (Pending > 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<UsageRecord>(_options.UsageBatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // Let a batch fill for a moment under load; write at once when idle.
                if (_queue.Reader.Count < _options.UsageBatchSize)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(20, _options.UsageFlushInterval.TotalMilliseconds)), stoppingToken);
                }

                while (batch.Count < _options.UsageBatchSize && _queue.Reader.TryRead(out var record))
                {
                    batch.Add(record);
                }

                await WriteWithRetryAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Shutdown: the server has stopped taking calls; write what is left.
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var record))
        {
            batch.Add(record);
            if (batch.Count == _options.UsageBatchSize)
            {
                await WriteWithRetryAsync(batch, CancellationToken.None);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await WriteWithRetryAsync(batch, CancellationToken.None);
        }
    }

    private async Task WriteWithRetryAsync(List<UsageRecord> batch, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(batch);
                metrics.UsageWritten(batch);
                Interlocked.Add(ref _pending, -batch.Count);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                LogWriteFailed(logger, batch.Count, attempt, ex);
                if (stoppingToken.IsCancellationRequested && attempt >= 10)
                {
                    // Shutting down and the database is gone: the reservations stay in the table and
                    // are charged in full by the abandoned-reservation sweep; say so loudly.
                    LogDropped(logger, batch.Count);
                    Interlocked.Add(ref _pending, -batch.Count);
                    return;
                }

                await Task.Delay(delay, CancellationToken.None);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private async Task WriteAsync(List<UsageRecord> batch)
    {
        List<(string Scope, Guid ScopeId, string Window, long Spent, long Max, long SpentTokens, long MaxTokens, int Percent)> alerts = [];
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY usage_events (occurred_at, credential_id, owner_id, purpose_id, workload_id, provider_name, endpoint, model, status_code, outcome, streamed, " +
                "input_tokens, cached_input_tokens, output_tokens, cost_micro_usd, usage_source, latency_ms, caller_identity, call_depth, reservation_id, prompt_fingerprint) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var r in batch)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(r.OccurredAt, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(r.Credential.Id, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(r.Credential.OwnerId, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(r.Credential.PurposeId, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(r.Credential.WorkloadId, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(r.Credential.ProviderName, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Endpoint, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Model, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.StatusCode, NpgsqlDbType.Integer);
                    await copy.WriteAsync(r.Outcome, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Streamed, NpgsqlDbType.Boolean);
                    await copy.WriteAsync(r.InputTokens, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(r.CachedInputTokens, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(r.OutputTokens, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(r.CostMicroUsd, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(r.UsageSource, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.LatencyMs, NpgsqlDbType.Integer);
                    if (r.CallerIdentity is null)
                    {
                        await copy.WriteNullAsync();
                    }
                    else
                    {
                        await copy.WriteAsync(r.CallerIdentity, NpgsqlDbType.Text);
                    }

                    await copy.WriteAsync(r.CallDepth, NpgsqlDbType.Integer);
                    if (r.ReservationId is { } id)
                    {
                        await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                    }
                    else
                    {
                        await copy.WriteNullAsync();
                    }

                    if (r.PromptFingerprint is { } fingerprint)
                    {
                        await copy.WriteAsync(fingerprint, NpgsqlDbType.Text);
                    }
                    else
                    {
                        await copy.WriteNullAsync();
                    }
                }

                await copy.CompleteAsync();
            }

            await TouchLastUsedAsync(connection, transaction, batch);
            var settled = batch.Where(r => r.ReservationId is not null).ToList();
            if (settled.Count > 0)
            {
                await using var settle = new NpgsqlCommand(
                    "SELECT scope, scope_id, time_window, spent_micro_usd, max_micro_usd, spent_tokens, max_tokens, alert_percent FROM budget_settle($1, $2, $3, $4)",
                    connection, transaction);
                settle.Parameters.Add(new() { Value = settled.Select(r => r.ReservationId!.Value).ToArray() });
                settle.Parameters.Add(new() { Value = settled.Select(r => r.CostMicroUsd).ToArray() });
                settle.Parameters.Add(new() { Value = settled.Select(r => r.InputTokens + r.OutputTokens).ToArray() });
                settle.Parameters.Add(new() { Value = time.GetUtcNow() });
                await using var reader = await settle.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    if (reader.GetInt32(7) > 0)
                    {
                        alerts.Add((reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt32(7)));
                    }
                }
            }

            await transaction.CommitAsync();
        }

        if (alerts.Count > 0)
        {
            await RecordAlertsAsync(alerts);
        }
    }

    /// <summary>
    /// One statement per batch: each credential's last_used_at moves to its latest call in the batch
    /// (never backwards). Ids go in sorted order so concurrent batches lock rows in the same order.
    /// </summary>
    private static async Task TouchLastUsedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<UsageRecord> batch)
    {
        var latest = batch.GroupBy(r => r.Credential.Id).Select(g => (Id: g.Key, At: g.Max(r => r.OccurredAt))).OrderBy(x => x.Id).ToList();
        await using var touch = new NpgsqlCommand(
            """
            UPDATE credentials c SET last_used_at = greatest(c.last_used_at, u.at)
            FROM unnest($1::uuid[], $2::timestamptz[]) AS u (id, at)
            WHERE c.id = u.id AND (c.last_used_at IS NULL OR c.last_used_at < u.at)
            """, connection, transaction);
        touch.Parameters.Add(new() { Value = latest.Select(x => x.Id).ToArray() });
        touch.Parameters.Add(new() { Value = latest.Select(x => x.At).ToArray() });
        await touch.ExecuteNonQueryAsync();
    }

    private async Task RecordAlertsAsync(List<(string Scope, Guid ScopeId, string Window, long Spent, long Max, long SpentTokens, long MaxTokens, int Percent)> alerts)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
        foreach (var a in alerts)
        {
            var used = a.Max > 0 ? $"{Pricing.Usd(a.Spent)} of {Pricing.Usd(a.Max)}" : $"{a.SpentTokens:N0} of {a.MaxTokens:N0} tokens";
            audit.RecordSystem(db, "gateway", new AuditEntry("budget.threshold_reached", a.Scope, a.ScopeId.ToString(),
                $"The {a.Scope}'s {a.Window} budget reached {a.Percent}%: {used} spent.", new Dictionary<string, string>
                {
                    ["window"] = a.Window,
                    ["alert_percent"] = a.Percent.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["spent_micro_usd"] = a.Spent.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["max_micro_usd"] = a.Max.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["spent_tokens"] = a.SpentTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["max_tokens"] = a.MaxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }));
            LogThreshold(logger, a.Scope, a.ScopeId, a.Window, a.Percent);
        }

        await db.SaveChangesAsync();
        audit.Committed();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage: writing {Count} events failed (attempt {Attempt}); retrying.")]
    private static partial void LogWriteFailed(ILogger logger, int count, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Usage: {Count} events could not be written before shutdown; their reservations stay held and are charged in full by the abandoned-reservation sweep.")]
    private static partial void LogDropped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Budget alert: {Scope} {ScopeId} reached {Percent}% of its {Window} budget.")]
    private static partial void LogThreshold(ILogger logger, string scope, Guid scopeId, string window, int percent);
}
