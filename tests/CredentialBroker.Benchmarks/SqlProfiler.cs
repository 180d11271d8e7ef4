using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Where an issuance's database time goes: the statements PostgreSQL ran (pg_stat_statements, broker
/// database only) and the commands Npgsql sent from this process (its ActivitySource), per issuance.
/// </summary>
internal sealed partial class SqlProfiler(NpgsqlDataSource statistics, string brokerDatabase, string rawDatabase) : IDisposable
{
    /// <summary>Server settings the profile needs; pg_stat_statements can only be loaded at start.</summary>
    public static IReadOnlyDictionary<string, string> ServerSettings { get; } = new Dictionary<string, string>
    {
        ["shared_preload_libraries"] = "pg_stat_statements",
        ["pg_stat_statements.track"] = "all",
        ["pg_stat_statements.track_utility"] = "on",
        ["pg_stat_statements.track_planning"] = "on",
    };

    private readonly ConcurrentDictionary<string, long> _commands = new(StringComparer.Ordinal);
    private ActivityListener? _listener;
    private IReadOnlyList<SqlStatement> _raw = [];

    /// <summary>Keeps the raw-insert phase's statements, clears the statistics and starts counting Npgsql commands.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var create = statistics.CreateCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        _raw = await ReadAsync(rawDatabase, cancellationToken);
        await using (var reset = statistics.CreateCommand("SELECT pg_stat_statements_reset()"))
        {
            await reset.ExecuteNonQueryAsync(cancellationToken);
        }

        _commands.Clear();
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => _commands.AddOrUpdate(activity.DisplayName, 1, (_, n) => n + 1),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Stops counting and reads the statements run in the broker database since <see cref="StartAsync"/>.</summary>
    public async Task<SqlProfile> StopAsync(long issuances, CancellationToken cancellationToken)
    {
        _listener?.Dispose();
        _listener = null;
        var commands = _commands.ToDictionary(c => c.Key, c => c.Value);
        var rawInsert = _raw.Where(s => s.TopLevel && s.Query.StartsWith("INSERT INTO raw_credentials", StringComparison.Ordinal)).MaxBy(s => s.Calls);
        return new SqlProfile(issuances, await ReadAsync(brokerDatabase, cancellationToken), commands, rawInsert);
    }

    public void Dispose() => _listener?.Dispose();

    private async Task<IReadOnlyList<SqlStatement>> ReadAsync(string database, CancellationToken cancellationToken)
    {
        var statements = new List<SqlStatement>();
        await using var command = statistics.CreateCommand(
            """
            SELECT s.query, s.calls, s.total_exec_time, s.total_plan_time, s.plans, s.rows, s.toplevel
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = $1
            ORDER BY s.calls DESC, s.total_exec_time DESC
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = database });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            statements.Add(new SqlStatement(
                Whitespace().Replace(reader.GetString(0), " ").Trim(),
                reader.GetInt64(1),
                reader.GetDouble(2),
                reader.GetDouble(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetBoolean(6)));
        }

        return statements;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>
/// One normalised statement from pg_stat_statements; times in milliseconds. A nested statement
/// (run by a trigger or function) is timed inside the top-level statement that ran it.
/// </summary>
internal sealed record SqlStatement(string Query, long Calls, double ExecMilliseconds, double PlanMilliseconds, long Plans, long Rows, bool TopLevel);

/// <summary>Statements and client commands over <see cref="Issuances"/> successful issuances, and the raw INSERT for comparison.</summary>
internal sealed record SqlProfile(
    long Issuances,
    IReadOnlyList<SqlStatement> Statements,
    IReadOnlyDictionary<string, long> NpgsqlCommands,
    SqlStatement? RawInsert);
