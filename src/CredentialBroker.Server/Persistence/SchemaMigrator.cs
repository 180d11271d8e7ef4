using System.Text;
using Npgsql;

namespace CredentialBroker.Server.Persistence;

/// <summary>
/// Applies migrations/ in order, once, under a PostgreSQL advisory lock so replicas starting
/// together do not race; refuses to start when an applied migration was edited afterwards.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    // Arbitrary but fixed: every broker replica must use the same key.
    private const long AdvisoryLockKey = 0x4342_4D49_4752_4154;

    private const string HistoryTableSql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    text        PRIMARY KEY,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    /// <summary>Applies pending migrations; returns the versions applied by this call.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = Migration.LoadEmbedded();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, HistoryTableSql, cancellationToken);
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            foreach (var (version, checksum) in applied)
            {
                var known = migrations.FirstOrDefault(m => m.Version == version);
                if (known is not null && known.Checksum != checksum)
                {
                    throw new InvalidOperationException(
                        $"Migration {version} was changed after it was applied to this database (checksum {checksum[..12]} in the database, {known.Checksum[..12]} in this build). " +
                        "Applied migrations must never be edited: restore the file and add a new migration instead.");
                }
            }

            var done = new List<string>();
            foreach (var migration in migrations.Where(m => !applied.ContainsKey(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, migration.Sql, cancellationToken, transaction);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)", connection, transaction))
                {
                    record.Parameters.Add(new() { Value = migration.Version });
                    record.Parameters.Add(new() { Value = migration.Checksum });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                MigrationLog.Applied(logger, migration.Version);
                done.Add(migration.Version);
            }

            return done;
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>Versions of migrations/ that the database has not applied yet.</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", connection);
        var applied = (bool)(await exists.ExecuteScalarAsync(cancellationToken))!
            ? await ReadAppliedAsync(connection, cancellationToken)
            : new Dictionary<string, string>();
        return Migration.LoadEmbedded().Where(m => !applied.ContainsKey(m.Version)).Select(m => m.Version).ToList();
    }

    /// <summary>
    /// One SQL script that brings any database (empty or partly migrated) to the current schema and
    /// can be run again safely: each migration runs only if schema_migrations does not list it.
    /// </summary>
    public static int PrintIdempotentScript()
    {
        Console.Out.Write(BuildIdempotentScript());
        return 0;
    }

    public static string BuildIdempotentScript()
    {
        var script = new StringBuilder();
        script.Append("-- CredentialBroker schema, idempotent script. Run with: psql -v ON_ERROR_STOP=1 -f <file>\n");
        script.Append("BEGIN;\n");
        script.Append("SELECT pg_advisory_xact_lock(").Append(AdvisoryLockKey).Append(");\n");
        script.Append(HistoryTableSql).Append(";\n\n");
        foreach (var migration in Migration.LoadEmbedded())
        {
            var tag = "$cb_" + migration.Version.Replace('.', '_') + "$";
            script.Append("-- ").Append(migration.Version).Append('\n');
            script.Append("DO $cb_do$\nBEGIN\n");
            script.Append("  IF NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = '").Append(migration.Version).Append("') THEN\n");
            script.Append("    EXECUTE ").Append(tag).Append('\n').Append(migration.Sql).Append(tag).Append(";\n");
            script.Append("    INSERT INTO schema_migrations (version, checksum) VALUES ('").Append(migration.Version).Append("', '").Append(migration.Checksum).Append("');\n");
            script.Append("  END IF;\nEND\n$cb_do$;\n\n");
        }

        script.Append("COMMIT;\n");
        return script.ToString();
    }

    private static async Task<Dictionary<string, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
