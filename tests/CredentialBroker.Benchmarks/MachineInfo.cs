using System.Runtime;
using System.Runtime.InteropServices;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>The machine and software a run measured, read at run time.</summary>
internal sealed record MachineInfo(
    int Cores,
    string Cpu,
    string Memory,
    string Os,
    string Runtime,
    string Gc,
    string Postgres,
    string PostgresSettings)
{
    public static async Task<MachineInfo> ReadAsync(NpgsqlDataSource postgres, CancellationToken cancellationToken)
    {
        await using var command = postgres.CreateCommand(
            """
            SELECT current_setting('server_version'),
                   string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
            FROM pg_settings
            WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers', 'max_connections', 'commit_delay')
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new MachineInfo(
            Environment.ProcessorCount,
            ProcField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
            ProcField("/proc/meminfo", "MemTotal") ?? "unknown",
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            GCSettings.IsServerGC ? "server" : "workstation",
            reader.GetString(0),
            reader.GetString(1));
    }

    private static string? ProcField(string file, string name)
    {
        try
        {
            return File.ReadLines(file)
                .Where(l => l.StartsWith(name, StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':') + 1)..].Trim())
                .FirstOrDefault();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
