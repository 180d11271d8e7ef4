using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Cluster;

/// <summary>
/// Keeps this replica's row in <c>broker_replicas</c> fresh (every <see cref="ReplicaOptions.HeartbeatInterval"/>)
/// and, in the same statement, counts the replicas whose heartbeat is within <see cref="ReplicaOptions.LiveWindow"/>
/// into <see cref="LiveReplicas"/>. Times are the database's clock, so replicas' clocks do not matter.
/// A replica that stops cleanly removes its row, so the others take over its share at their next heartbeat.
/// </summary>
internal sealed class ReplicaRegistry(
    NpgsqlDataSource dataSource,
    ReplicaIdentity identity,
    LiveReplicas live,
    IOptions<BrokerOptions> options,
    ILogger<ReplicaRegistry> logger) : BackgroundService
{
    // Rows of replicas gone for a day are deleted by whoever beats, so the table stays small.
    private const string Beat =
        """
        WITH beat AS (
            INSERT INTO broker_replicas (replica_id, started_at, heartbeat_at) VALUES ($1, now(), now())
            ON CONFLICT (replica_id) DO UPDATE SET heartbeat_at = now()
            RETURNING replica_id),
        gone AS (
            DELETE FROM broker_replicas WHERE heartbeat_at < now() - interval '1 day' RETURNING 1)
        SELECT 1 + count(*) FROM broker_replicas WHERE replica_id <> $1 AND heartbeat_at > now() - $2
        """;

    /// <summary>Records a heartbeat and re-reads the live count once; returns the count.</summary>
    public async Task<int> BeatAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Beat);
        command.Parameters.Add(new() { Value = identity.Id });
        command.Parameters.Add(new() { Value = LiveWindow });
        var count = (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (count != live.Count)
        {
            ClusterLog.LiveReplicasChanged(logger, identity.Id, count);
        }

        live.Set(count);
        return count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Replica.HeartbeatInterval);
        do
        {
            try
            {
                await BeatAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                ClusterLog.HeartbeatFailed(logger, ex, identity.Id);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var command = dataSource.CreateCommand("DELETE FROM broker_replicas WHERE replica_id = $1");
            command.Parameters.Add(new() { Value = identity.Id });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // The row ages out of the live window instead.
        }
    }

    private TimeSpan LiveWindow =>
        options.Value.Replica.LiveWindow < options.Value.Replica.HeartbeatInterval * 2 ? options.Value.Replica.HeartbeatInterval * 2 : options.Value.Replica.LiveWindow;
}
