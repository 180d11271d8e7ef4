namespace CredentialBroker.Server.Cluster;

internal static partial class ClusterLog
{
    [LoggerMessage(11001, LogLevel.Information, "Replica {ReplicaId}: {Count} live replicas share the rate limits")]
    public static partial void LiveReplicasChanged(ILogger logger, string replicaId, int count);

    [LoggerMessage(11002, LogLevel.Warning, "Replica {ReplicaId}: heartbeat failed; keeping the last known count of live replicas")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string replicaId);
}
