using System.Globalization;
using System.Text.RegularExpressions;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Keeps usage data in shape: creates the monthly partitions of usage_events ahead of time, drops
/// those past <see cref="Budgets.UsageOptions.RawRetention"/> and deletes roll-ups past
/// <see cref="Budgets.UsageOptions.RollupRetention"/>. Every drop is audited.
/// </summary>
internal sealed partial class UsageMaintenance(NpgsqlDataSource dataSource, AuditLog audit, IOptions<BrokerOptions> options, TimeProvider time, ILogger<UsageMaintenance> logger)
{
    public const string Actor = "system:usage-maintenance";

    /// <summary>The outcome of one run: partitions created and dropped, roll-up rows deleted.</summary>
    public sealed record Result(IReadOnlyList<string> Created, IReadOnlyList<string> Dropped, long RollupsDeleted);

    public async Task<Result> RunAsync(CancellationToken cancellationToken)
    {
        var usage = options.Value.Usage;
        var now = time.GetDbNow();
        var created = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i <= usage.PartitionsAhead; i++)
        {
            var start = month.AddMonths(i);
            if (await ScalarAsync<bool>(connection, "SELECT usage_events_ensure_partition($1)", cancellationToken, start))
            {
                created.Add(PartitionName(start));
            }
        }

        var rawCutoff = now - usage.RawRetention;
        var dropped = new List<string>();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (name, end) in await ListPartitionsAsync(connection, transaction, cancellationToken))
        {
            if (end <= rawCutoff)
            {
                await ExecuteAsync(connection, transaction, $"DROP TABLE {name}", cancellationToken);
                dropped.Add(name);
            }
        }

        var defaultRows = await ExecuteAsync(connection, transaction, "DELETE FROM usage_events_default WHERE occurred_at < $1", cancellationToken, rawCutoff);
        var rollups = await ExecuteAsync(connection, transaction, "DELETE FROM usage_hourly WHERE hour < $1", cancellationToken, now - usage.RollupRetention);
        if (dropped.Count > 0 || rollups > 0 || defaultRows > 0)
        {
            await ExecuteAsync(connection, transaction,
                """
                INSERT INTO audit_events (occurred_at, actor, action, target_type, reason, outcome, metadata)
                VALUES ($1, $2, 'usage.retention_applied', 'usage', $3, 'success',
                        jsonb_build_object('dropped_partitions', $4::text, 'default_partition_rows_deleted', $5::text, 'rollup_rows_deleted', $6::text))
                """, cancellationToken,
                now, Actor,
                $"raw usage older than {usage.RawRetention.TotalDays:0.#} days and roll-ups older than {usage.RollupRetention.TotalDays:0.#} days removed",
                string.Join(',', dropped), defaultRows.ToString(CultureInfo.InvariantCulture), rollups.ToString(CultureInfo.InvariantCulture));
        }

        await transaction.CommitAsync(cancellationToken);
        if (dropped.Count > 0 || rollups > 0 || defaultRows > 0)
        {
            audit.Committed();
        }

        if (created.Count > 0 || dropped.Count > 0 || rollups > 0)
        {
            LogMaintained(logger, string.Join(',', created), string.Join(',', dropped), rollups);
        }

        return new Result(created, dropped, rollups);
    }

    /// <summary>Monthly partitions (by their naming) with the end of the month each holds.</summary>
    private static async Task<List<(string Name, DateTimeOffset End)>> ListPartitionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_events'::regclass", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var partitions = new List<(string, DateTimeOffset)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (MonthlyName().Match(name) is { Success: true } m)
            {
                var start = new DateTimeOffset(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), 1, 0, 0, 0, TimeSpan.Zero);
                partitions.Add((name, start.AddMonths(1)));
            }
        }

        return partitions;
    }

    public static string PartitionName(DateTimeOffset monthStart) => $"usage_events_{monthStart:yyyy_MM}";

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex("^usage_events_([0-9]{4})_([0-9]{2})$")]
    private static partial Regex MonthlyName();

    [LoggerMessage(4101, LogLevel.Information, "Usage maintenance: partitions created [{Created}], dropped [{Dropped}], {Rollups} roll-up rows deleted")]
    private static partial void LogMaintained(ILogger logger, string created, string dropped, long rollups);
}
