using CredentialBroker.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CredentialBroker.Server.Gateway;

/// <summary>What changed, for the caches that hold it.</summary>
internal enum ChangeKind
{
    /// <summary>A credential was revoked or renewed.</summary>
    Credential,

    /// <summary>A mass revocation (watermark) was written.</summary>
    Watermark,

    /// <summary>A purpose's policy changed.</summary>
    Purpose,

    /// <summary>An owner's limits or state changed.</summary>
    Owner,

    /// <summary>A provider's URL, root key or prices changed.</summary>
    Provider,

    /// <summary>The feed itself was (re)connected: anything may have changed meanwhile.</summary>
    Everything,

    /// <summary>A workload's tool approvals changed (approved, denied, withdrawn); the id is the workload's.</summary>
    Approval,
}

/// <summary>
/// Tells every replica's caches what changed, through PostgreSQL LISTEN/NOTIFY. Changes are
/// announced after (or, inside a transaction, at) commit; this replica's caches hear its own
/// announcements directly. While the listening connection is down, <see cref="IsListening"/> is
/// false and caches must not be trusted; when it comes back, everything is announced as changed.
/// A notification's payload is <c>kind:id:announced</c> (announced = the database's clock in
/// microseconds since 1970, for <c>broker.revocation.propagation_lag</c>); <c>kind:id</c> from an older
/// replica is understood too, and an older replica reads the new form as "this kind, any id" (it
/// clears that cache instead of one entry).
/// </summary>
internal sealed partial class ChangeFeed(NpgsqlDataSource dataSource, Telemetry.BrokerMetrics metrics, ILogger<ChangeFeed> logger) : BackgroundService
{
    public const string Channel = "credentialbroker_changes";

    // The payload is completed in SQL with the database's clock, so every replica stamps with one clock.
    private const string Stamp = " || ':' || floor(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";

    private volatile bool _listening;

    /// <summary>Raised for every change, from any replica.</summary>
    public event Action<ChangeKind, Guid?>? Changed;

    /// <summary>True while notifications from other replicas are being received.</summary>
    public bool IsListening => _listening;

    /// <summary>Announces a change that has been committed.</summary>
    public async Task PublishAsync(ChangeKind kind, Guid? id, CancellationToken cancellationToken)
    {
        Raise(kind, id);
        await using var command = dataSource.CreateCommand("SELECT pg_notify($1, $2" + Stamp + ")");
        command.Parameters.Add(new() { Value = Channel });
        command.Parameters.Add(new() { Value = Payload(kind, id) });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>
    /// Tells this replica's caches at once about a change announced inside a transaction that has just
    /// committed; its notification reaches every replica (this one too, a moment later).
    /// </summary>
    public void Committed(ChangeKind kind, Guid? id) => Raise(kind, id);

    /// <summary>Announces a change inside <paramref name="db"/>'s open transaction; delivered when it commits.</summary>
    public static Task PublishInTransactionAsync(BrokerDbContext db, ChangeKind kind, Guid? id, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1}" + Stamp + ")", [Channel, Payload(kind, id)], cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => OnNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                _listening = true;
                Raise(ChangeKind.Everything, null);
                delay = TimeSpan.FromMilliseconds(200);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogListenFailed(logger, delay.TotalMilliseconds, ex);
            }
            finally
            {
                _listening = false;
                Raise(ChangeKind.Everything, null);
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }
    }

    /// <summary>
    /// SQL that announces a change of the row whose id is <paramref name="idSql"/>, for statements that
    /// change many rows at once (governance sweeps); delivered when the statement's transaction commits.
    /// </summary>
    public static string NotifySql(ChangeKind kind, string idSql) =>
        $"pg_notify('{Channel}', '{kind.ToString().ToLowerInvariant()}:' || {idSql}::text{Stamp})";

    private static string Payload(ChangeKind kind, Guid? id) => kind.ToString().ToLowerInvariant() + ":" + id;

    private void OnNotification(string payload)
    {
        var parts = payload.Split(':');
        if (parts.Length < 2 || !Enum.TryParse<ChangeKind>(parts[0], ignoreCase: true, out var kind))
        {
            return;
        }

        // Unreadable id: treated as "any id of this kind" (the caches clear, which is always safe).
        Raise(kind, parts.Length <= 3 && Guid.TryParse(parts[1], out var id) ? id : null);
        if (parts.Length == 3 && long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var micros) && micros < 100_000_000_000_000_000)
        {
            metrics.ChangeReceived(kind, DateTimeOffset.UnixEpoch.AddTicks(micros * 10));
        }
    }

    private void Raise(ChangeKind kind, Guid? id)
    {
        try
        {
            Changed?.Invoke(kind, id);
        }
        catch (Exception ex)
        {
            LogHandlerFailed(logger, kind, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed: listening failed; gateway caches are bypassed until it reconnects (retry in {DelayMs} ms).")]
    private static partial void LogListenFailed(ILogger logger, double delayMs, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Change feed: a cache failed to handle a {Kind} change.")]
    private static partial void LogHandlerFailed(ILogger logger, ChangeKind kind, Exception exception);
}
