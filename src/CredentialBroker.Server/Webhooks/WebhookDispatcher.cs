using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Webhooks;

/// <summary>
/// Delivers sealed audit events to the configured webhooks, in audit order, at least once. Each
/// webhook keeps a cursor in webhook_cursors; one replica at a time delivers for a webhook (a
/// session advisory lock), so several replicas neither skip nor double-send. An event that fails
/// every attempt goes to webhook_dead_letters and delivery moves on.
/// </summary>
internal sealed class WebhookDispatcher(
    NpgsqlDataSource dataSource, WebhookSender sender, IOptions<BrokerOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    private const int LockClass = 0x43425748; // "CBWH"
    private const int BatchSize = 200;
    private static readonly TimeSpan _pollInterval = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(options.Value.Webhooks.Select(WebhookTarget.Create).Select(t => RunAsync(t, stoppingToken)));

    private async Task RunAsync(WebhookTarget target, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverPendingAsync(target, stoppingToken);
                await Task.Delay(_pollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                WebhookLog.DispatchFailed(logger, target.Options.Name, ex);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Delivers everything sealed after the webhook's cursor, unless another replica holds the webhook.</summary>
    internal async Task DeliverPendingAsync(WebhookTarget target, CancellationToken cancellationToken)
    {
        var name = target.Options.Name;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await ScalarAsync<bool>(connection, "SELECT pg_try_advisory_lock($1, hashtext($2))", cancellationToken, LockClass, name))
        {
            return;
        }

        try
        {
            var cursor = await EnsureCursorAsync(connection, target.Options, cancellationToken);
            while (true)
            {
                var batch = await ReadAfterAsync(connection, cursor, cancellationToken);
                foreach (var e in batch)
                {
                    if (EventPattern.MatchesAny(target.Options.Events, e.Action))
                    {
                        var result = await sender.SendAsync(target, e, cancellationToken);
                        if (!result.Delivered)
                        {
                            await DeadLetterAsync(connection, name, e, result, cancellationToken);
                        }

                        await MoveCursorAsync(connection, name, e.Seq, cancellationToken);
                    }

                    cursor = e.Seq;
                }

                if (batch.Count == 0)
                {
                    return;
                }

                await MoveCursorAsync(connection, name, cursor, cancellationToken);
                if (batch.Count < BatchSize)
                {
                    return;
                }
            }
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ScalarAsync<bool>(connection, "SELECT pg_advisory_unlock($1, hashtext($2))", CancellationToken.None, LockClass, name);
            }
        }
    }

    private async Task<long> EnsureCursorAsync(NpgsqlConnection connection, WebhookOptions webhook, CancellationToken cancellationToken)
    {
        var existing = await ScalarAsync<long?>(connection, "SELECT last_seq FROM webhook_cursors WHERE name = $1", cancellationToken, webhook.Name);
        if (existing is { } seq)
        {
            return seq;
        }

        var start = webhook.StartFrom == "beginning" ? 0 : await ScalarAsync<long>(connection, "SELECT coalesce(max(seq), 0) FROM audit_events", cancellationToken);
        await ExecuteAsync(connection, "INSERT INTO webhook_cursors (name, last_seq, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
            cancellationToken, webhook.Name, start, time.GetUtcNow());
        WebhookLog.CursorCreated(logger, webhook.Name, start, webhook.StartFrom);
        return (await ScalarAsync<long?>(connection, "SELECT last_seq FROM webhook_cursors WHERE name = $1", cancellationToken, webhook.Name))!.Value;
    }

    private static async Task<List<WebhookEvent>> ReadAfterAsync(NpgsqlConnection connection, long cursor, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT seq, occurred_at, actor, actor_role, action, target_type, target_id, reason, outcome, metadata::text
            FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2
            """, connection);
        command.Parameters.Add(new() { Value = cursor });
        command.Parameters.Add(new() { Value = BatchSize });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<WebhookEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new WebhookEvent(
                reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetString(8), reader.GetString(9)));
        }

        return events;
    }

    private async Task DeadLetterAsync(NpgsqlConnection connection, string name, WebhookEvent e, DeliveryResult result, CancellationToken cancellationToken)
    {
        WebhookLog.DeadLettered(logger, name, e.Seq, e.Action, result.Attempts, result.LastError ?? "unknown");
        await ExecuteAsync(connection,
            """
            INSERT INTO webhook_dead_letters (webhook, seq, action, attempts, last_error, failed_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (webhook, seq) DO NOTHING
            """, cancellationToken, name, e.Seq, e.Action, result.Attempts, result.LastError ?? "unknown", time.GetUtcNow());
    }

    private Task MoveCursorAsync(NpgsqlConnection connection, string name, long seq, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, "UPDATE webhook_cursors SET last_seq = greatest(last_seq, $2), updated_at = $3 WHERE name = $1",
            cancellationToken, name, seq, time.GetUtcNow());

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull ? default! : (T)result;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return command;
    }
}
