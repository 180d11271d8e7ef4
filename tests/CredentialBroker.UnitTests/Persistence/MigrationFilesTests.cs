using CredentialBroker.Server.Persistence;

namespace CredentialBroker.UnitTests.Persistence;

public sealed class MigrationFilesTests
{
    [Fact]
    public void LoadEmbedded_AreOrderedAndQuartzDirectiveIsExpanded()
    {
        var migrations = Migration.LoadEmbedded();

        Assert.Equal(["0001_initial", "0002_quartz_job_store", "0003_gateway", "0004_offboarding", "0005_anomalies", "0006_approvals_delegation", "0007_direct_delivery", "0008_webhooks", "0009_usage_partitions", "0010_replicas"], migrations.Select(m => m.Version));
        var quartz = migrations[1].Sql;
        Assert.DoesNotContain("--! include", quartz);
        Assert.Contains("CREATE TABLE IF NOT EXISTS qrtz_job_details", quartz);
        Assert.Contains("qrtz_scheduler_state", quartz);
        Assert.DoesNotContain("{0}", quartz);
    }

    [Fact]
    public void IdempotentScript_GuardsEveryMigrationAndRunsInOneTransaction()
    {
        var script = SchemaMigrator.BuildIdempotentScript();

        Assert.StartsWith("-- CredentialBroker schema", script);
        Assert.Contains("BEGIN;", script);
        Assert.EndsWith("COMMIT;\n", script);
        foreach (var migration in Migration.LoadEmbedded())
        {
            Assert.Contains($"WHERE version = '{migration.Version}'", script);
            Assert.Contains(migration.Checksum, script);
        }
    }
}
