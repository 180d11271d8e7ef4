using CredentialBroker.LocalPostgres;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Infrastructure;

/// <summary>
/// The one PostgreSQL server of a test run, in the order DESIGN.md gives: the connection string in
/// BROKER_TEST_POSTGRES (CI starts a cluster and sets it), else a throwaway local initdb/pg_ctl
/// cluster, else Testcontainers. Each test class gets a database of its own on it.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "BROKER_TEST_POSTGRES";

    private static readonly SemaphoreSlim _gate = new(1, 1);
    private static string? _adminConnectionString;
    private static int _databases;

    /// <summary>A new, empty database on the shared server.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await AdminConnectionStringAsync();
        var name = $"broker_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;
    }

    /// <summary>
    /// Drops a database made by <see cref="CreateDatabaseAsync"/>, ending the sessions still open on it.
    /// A finished test class would otherwise keep its pooled idle connections (the broker's Quartz store
    /// and the test's own pool keep them for minutes), and the run would reach the server's max_connections.
    /// </summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        if (string.IsNullOrEmpty(name) || !name.StartsWith("broker_test_", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' was not made by CreateDatabaseAsync; refusing to drop it.", nameof(connectionString));
        }

        await using (var own = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(own);
        }

        await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> AdminConnectionStringAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_adminConnectionString is not null)
            {
                return _adminConnectionString;
            }

            var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                return _adminConnectionString = fromEnvironment;
            }

            var server = await LocalPostgres.LocalPostgres.StartAsync(new LocalPostgresOptions { Database = "broker_tests" });
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return _adminConnectionString = server.ConnectionString;
        }
        finally
        {
            _gate.Release();
        }
    }
}
