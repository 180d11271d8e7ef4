using CredentialBroker.Server.Hosting;
using Npgsql;

namespace CredentialBroker.Server.Persistence;

/// <summary>Waits (with capped exponential backoff) for PostgreSQL, then migrates the schema.</summary>
internal sealed class DatabaseStartup(NpgsqlDataSource dataSource, SchemaMigrator migrator, IConfiguration configuration, ILogger<DatabaseStartup> logger)
{
    /// <summary>Used when <c>Broker:DatabaseStartupTimeout</c> is not set.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Waits for the database, applies pending migrations and returns their versions.</summary>
    public async Task<IReadOnlyList<string>> EnsureReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + configuration.GetValue("Broker:DatabaseStartupTimeout", DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                break;
            }
            catch (NpgsqlException ex) when (ex is not PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InvalidCatalogName })
            {
                if (DateTime.UtcNow + delay > deadline)
                {
                    var target = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
                    throw new BrokerConfigurationException($"PostgreSQL at {target.Host}:{target.Port} is not reachable after {attempt} attempts: {ex.Message}", ex);
                }

                MigrationLog.DatabaseUnreachable(logger, attempt, delay, ex.Message);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
            catch (PostgresException ex)
            {
                throw new BrokerConfigurationException($"PostgreSQL refused the connection: {ex.MessageText}. Check ConnectionStrings:Broker.", ex);
            }
        }

        var applied = await migrator.MigrateAsync(cancellationToken);
        MigrationLog.SchemaCurrent(logger, applied.Count);
        return applied;
    }
}
