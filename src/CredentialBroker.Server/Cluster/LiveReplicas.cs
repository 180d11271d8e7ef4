namespace CredentialBroker.Server.Cluster;

/// <summary>
/// How many replicas are live (this one included), as last read from the replica registry; 1 until the
/// first heartbeat and whenever the registry cannot be read. Rate limits divide by it.
/// </summary>
internal sealed class LiveReplicas
{
    private volatile int _count = 1;

    public int Count => _count;

    public void Set(int count) => _count = Math.Max(1, count);

    /// <summary>This replica's share of a limit that holds across all replicas.</summary>
    public static double Share(long limit, int replicas) => (double)limit / Math.Max(1, replicas);
}
