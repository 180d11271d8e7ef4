using System.Globalization;
using CredentialBroker.Server.Persistence;
using Npgsql;

namespace CredentialBroker.Server.Reports;

/// <summary>What a control reads: the database, the report's clock and evidence window, and the thresholds.</summary>
internal sealed class ControlContext(NpgsqlDataSource dataSource, BrokerDbContext db, DateTimeOffset now, TimeSpan evidenceWindow, ComplianceOptions options)
{
    public const int MaxFindings = 20;

    public BrokerDbContext Db => db;

    public DateTimeOffset Now => now;

    public TimeSpan EvidenceWindow => evidenceWindow;

    public ComplianceOptions Options => options;

    /// <summary>Runs <paramref name="sql"/> with <c>$1</c> = now, <c>$2</c> = start of the evidence window, then <paramref name="more"/>; returns the first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params object[] more)
    {
        await using var command = Command(sql, more);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>Like <see cref="ScalarAsync{T}"/> but returns the first column of up to <see cref="MaxFindings"/> rows as text.</summary>
    public async Task<List<string>> FindingsAsync(string sql, CancellationToken cancellationToken, params object[] more)
    {
        await using var command = Command(sql + $" LIMIT {MaxFindings}", more);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return rows;
    }

    /// <summary>Reads each row with <paramref name="read"/>.</summary>
    public async Task<List<T>> RowsAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params object[] more)
    {
        await using var command = Command(sql, more);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private NpgsqlCommand Command(string sql, object[] more)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = now - evidenceWindow });
        foreach (var value in more)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return command;
    }

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Percent(long part, long whole) => whole == 0 ? "100.0 %" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    public static string Span(TimeSpan span) =>
        span.TotalDays >= 1 ? span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture) + " d"
        : span.TotalHours >= 1 ? span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h"
        : span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
