using System.Diagnostics;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>Reads CPU (this process, PostgreSQL, the machine) and PostgreSQL's commit and WAL counters.</summary>
internal sealed class ResourceProbe(NpgsqlDataSource statistics, int? postmasterPid)
{
    /// <summary>Finds the PostgreSQL server process behind <paramref name="statistics"/>.</summary>
    public static async Task<ResourceProbe> CreateAsync(NpgsqlDataSource statistics, CancellationToken cancellationToken)
    {
        await using var command = statistics.CreateCommand("SELECT pg_backend_pid()");
        var backend = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new ResourceProbe(statistics, ProcStat.ParentOf(backend));
    }

    /// <summary>This process's resident set (the broker runs in it, with the load generator).</summary>
    public static long ResidentBytes()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }

    public async Task<ResourceSnapshot> TakeAsync(CancellationToken cancellationToken)
    {
        using var process = Process.GetCurrentProcess();
        var processCpu = process.TotalProcessorTime;
        var postgresCpu = postmasterPid is { } pid ? ProcStat.TreeCpuSeconds(pid) : null;
        var machine = ProcStat.MachineTicks();

        // PostgreSQL publishes these counters about once a second per backend, so over a phase of
        // many seconds the per-operation figures are close but not exact.
        await using var command = statistics.CreateCommand(
            "SELECT (SELECT sum(xact_commit)::bigint FROM pg_stat_database), wal_sync, wal_bytes::bigint FROM pg_stat_wal");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ResourceSnapshot(processCpu, postgresCpu, machine, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
