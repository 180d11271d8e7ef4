using CredentialBroker.Server.Hosting;
using Npgsql;

namespace CredentialBroker.Server.Persistence;

/// <summary>
/// <c>migrations apply</c>: waits for PostgreSQL like the server does, applies pending migrations
/// through <see cref="SchemaMigrator"/> (advisory lock, checksum check) and exits. Deployments run it
/// once before the replicas start (a compose one-shot service, a Kubernetes Job).
/// </summary>
public static class MigrationsCommand
{
    /// <summary>
    /// Reads the same configuration as the server (appsettings.json, environment, <paramref name="args"/>
    /// as <c>--Key=value</c>). Exit codes: 0 schema current, 1 a migration failed or was edited after it
    /// was applied, 2 configuration missing or database unreachable.
    /// </summary>
    public static async Task<int> ApplyAsync(string[] args, CancellationToken cancellationToken = default)
    {
        try
        {
            var builder = Host.CreateApplicationBuilder(args);
            var connectionString = BrokerServiceExtensions.ReadConnectionString(builder.Configuration);
            builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
            builder.Services.AddSingleton<SchemaMigrator>();
            builder.Services.AddSingleton<DatabaseStartup>();
            using var host = builder.Build();

            var applied = await host.Services.GetRequiredService<DatabaseStartup>().EnsureReadyAsync(cancellationToken);
            await Console.Out.WriteLineAsync(applied.Count == 0
                ? "Schema is current; no migrations to apply."
                : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}. Schema is current.");
            return 0;
        }
        catch (Exception ex) when (BrokerApp.Describe(ex) is { } message)
        {
            await Console.Error.WriteLineAsync("credentialbroker: " + message);
            return 2;
        }
        catch (Exception ex) when (ex is InvalidOperationException or NpgsqlException)
        {
            await Console.Error.WriteLineAsync("credentialbroker: migrations apply failed: " + ex.Message);
            return 1;
        }
    }
}
