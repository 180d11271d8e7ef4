using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Persistence;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Persistence;

public sealed class MigrationsApplyCommandTests
{
    [Fact]
    public async Task Apply_EmptyDatabase_MigratesExitsZeroAndRerunFindsNothingPending()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        string[] args = ["--ConnectionStrings:Broker=" + connectionString];

        Assert.Equal(0, await MigrationsCommand.ApplyAsync(args));
        Assert.Equal(0, await MigrationsCommand.ApplyAsync(args));

        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var command = db.CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.Equal((long)Migration.LoadEmbedded().Count, Convert.ToInt64(await command.ExecuteScalarAsync()));
        Assert.Empty(await new SchemaMigrator(db, Microsoft.Extensions.Logging.Abstractions.NullLogger<SchemaMigrator>.Instance).PendingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Apply_DatabaseUnreachable_ExitsTwoAfterTheStartupTimeout()
    {
        string[] args =
        [
            "--ConnectionStrings:Broker=Host=127.0.0.1;Port=1;Database=broker;Username=broker;Password=x;Timeout=2",
            "--Broker:DatabaseStartupTimeout=00:00:01",
        ];

        Assert.Equal(2, await MigrationsCommand.ApplyAsync(args));
    }

    [Fact]
    public async Task Apply_NoConnectionString_ExitsTwo()
    {
        Assert.Equal(2, await MigrationsCommand.ApplyAsync(["--ConnectionStrings:Broker="]));
    }

    [Fact]
    public async Task Apply_AppliedMigrationEdited_ExitsOne()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        string[] args = ["--ConnectionStrings:Broker=" + connectionString];
        Assert.Equal(0, await MigrationsCommand.ApplyAsync(args));
        await using (var db = NpgsqlDataSource.Create(connectionString))
        await using (var tamper = db.CreateCommand("UPDATE schema_migrations SET checksum = 'deadbeefdeadbeef' WHERE version = '0001_initial'"))
        {
            await tamper.ExecuteNonQueryAsync();
        }

        Assert.Equal(1, await MigrationsCommand.ApplyAsync(args));
    }
}
