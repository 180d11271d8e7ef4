namespace CredentialBroker.Benchmarks;

/// <summary>Cumulative counters at one instant; subtract two to get a phase's usage.</summary>
internal sealed record ResourceSnapshot(
    TimeSpan ProcessCpu,
    double? PostgresCpuSeconds,
    (long Busy, long Total)? MachineTicks,
    long Commits,
    long WalSyncs,
    long WalBytes)
{
    public ResourceUsage Since(ResourceSnapshot start) => new(
        (ProcessCpu - start.ProcessCpu).TotalSeconds,
        PostgresCpuSeconds - start.PostgresCpuSeconds,
        MachineTicks is { } end && start.MachineTicks is { } begin && end.Total > begin.Total
            ? (double)(end.Busy - begin.Busy) / (end.Total - begin.Total)
            : null,
        Commits - start.Commits,
        WalSyncs - start.WalSyncs,
        WalBytes - start.WalBytes);
}

/// <summary>What a phase used while it was measured.</summary>
/// <param name="ProcessCpuSeconds">CPU of this process: load generator and broker together.</param>
/// <param name="PostgresCpuSeconds">CPU of the PostgreSQL server (all its processes).</param>
/// <param name="MachineBusy">Fraction of all cores' time that was not idle.</param>
/// <param name="Commits">Committed transactions (pg_stat_database, all databases).</param>
/// <param name="WalSyncs">WAL flushes to disk (pg_stat_wal.wal_sync).</param>
/// <param name="WalBytes">WAL written (pg_stat_wal.wal_bytes).</param>
internal sealed record ResourceUsage(
    double ProcessCpuSeconds,
    double? PostgresCpuSeconds,
    double? MachineBusy,
    long Commits,
    long WalSyncs,
    long WalBytes);
