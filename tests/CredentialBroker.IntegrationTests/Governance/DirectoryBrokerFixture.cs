using CredentialBroker.IntegrationTests.Infrastructure;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>A broker whose directory-managed owners are deactivated after one day missing.</summary>
public class DirectoryBrokerFixture : BrokerFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:Governance:OffboardingGrace"] = "1.00:00:00",
    };

    /// <summary>The owners table's whole content and the counts of every other table, for "changed nothing" assertions.</summary>
    public async Task<string> OwnersSnapshotAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT md5(coalesce(string_agg(o::text, '|' ORDER BY o.id), '')) FROM owners o", connection);
        return (string)(await command.ExecuteScalarAsync())! + " " + await SnapshotAsync();
    }
}
