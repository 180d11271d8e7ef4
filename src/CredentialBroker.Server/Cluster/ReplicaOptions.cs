namespace CredentialBroker.Server.Cluster;

/// <summary>
/// The <c>Broker:Replica</c> section: how this replica names itself to the others, how it tells them it
/// is alive (rate limits are shared out among live replicas), and how fast a dead replica's jobs move.
/// </summary>
public sealed class ReplicaOptions
{
    /// <summary>
    /// This replica's name in the replica registry and the Quartz cluster (<c>qrtz_fired_triggers.instance_name</c>,
    /// <c>broker_replicas.replica_id</c>). Unset: machine name, process id and a random suffix. Two running replicas
    /// must never share one; a replica restarted under the same name takes over its own record.
    /// </summary>
    public string? Id { get; set; }

    /// <summary>How often this replica records that it is alive and re-reads how many replicas are.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A replica whose last heartbeat is older than this no longer counts as live: its share of every rate
    /// limit goes to the others. At least twice <see cref="HeartbeatInterval"/>.
    /// </summary>
    public TimeSpan LiveWindow { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often this replica checks in with the Quartz cluster.</summary>
    public TimeSpan JobCheckinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Grace beyond a missed Quartz check-in before a replica is taken for dead and the jobs it was running are
    /// run again by another replica. Lower recovers faster; too low takes a replica paused by a long GC for dead.
    /// </summary>
    public TimeSpan JobFailureThreshold { get; set; } = TimeSpan.FromSeconds(7.5);
}
