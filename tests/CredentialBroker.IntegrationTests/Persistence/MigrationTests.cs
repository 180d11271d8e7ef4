using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Persistence;

public sealed class MigrationTests
{
    private static async Task<NpgsqlDataSource> EmptyDatabaseAsync() =>
        NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync());

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrate_EmptyDatabase_CreatesSchemaAndRerunIsANoOp()
    {
        await using var db = await EmptyDatabaseAsync();
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);

        var first = await migrator.MigrateAsync(CancellationToken.None);
        var second = await migrator.MigrateAsync(CancellationToken.None);

        Assert.Equal(["0001_initial", "0002_quartz_job_store", "0003_gateway", "0004_offboarding", "0005_anomalies", "0006_approvals_delegation", "0007_direct_delivery", "0008_webhooks", "0009_usage_partitions", "0010_replicas"], first);
        Assert.Empty(second);
        Assert.Empty(await migrator.PendingAsync(CancellationToken.None));
        Assert.Equal(1, await ScalarAsync(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'credentials'"));
        Assert.Equal(1, await ScalarAsync(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'qrtz_job_details'"));
    }

    [Fact]
    public async Task Migrate_ManyReplicasAtOnce_AppliesEachMigrationOnce()
    {
        await using var db = await EmptyDatabaseAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None)));

        Assert.Equal(Migration.LoadEmbedded().Count, results.Sum(r => r.Count));
        Assert.Equal(Migration.LoadEmbedded().Count, await ScalarAsync(db, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task IdempotentScript_OnEmptyDatabaseTwice_ThenMigratorFindsNothingToDo()
    {
        await using var db = await EmptyDatabaseAsync();
        var script = SchemaMigrator.BuildIdempotentScript();

        for (var i = 0; i < 2; i++)
        {
            await using var command = db.CreateCommand(script);
            await command.ExecuteNonQueryAsync();
        }

        Assert.Empty(await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None));
        Assert.Equal(1, await ScalarAsync(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit_events'"));
    }

    [Fact]
    public async Task Migrate_AppliedMigrationEdited_RefusesToStart()
    {
        await using var db = await EmptyDatabaseAsync();
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        await using (var tamper = db.CreateCommand("UPDATE schema_migrations SET checksum = 'deadbeefdeadbeef' WHERE version = '0001_initial'"))
        {
            await tamper.ExecuteNonQueryAsync();
        }

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(CancellationToken.None));
        Assert.Contains("0001_initial was changed after it was applied", ex.Message);
    }
}
