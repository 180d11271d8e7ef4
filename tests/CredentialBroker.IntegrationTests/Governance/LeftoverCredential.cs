using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Credentials;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>
/// Writes a credential row directly, as a copy of an issued one with a new key and issue time: what
/// a race with an offboarding (or a write behind the broker's back) leaves behind.
/// </summary>
public static class LeftoverCredential
{
    public static async Task<(string Id, string Secret)> InsertAsync(BrokerFixture broker, string templateId, DateTimeOffset issuedAt)
    {
        var secret = SecretKey.Generate(SecretKey.CredentialKind);
        var id = Guid.CreateVersion7(issuedAt);
        await using var connection = new NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO credentials (id, prefix, secret_hash, owner_id, purpose_id, workload_id, provider_id, provider_name, models, labels,
                                     status, issued_at, expires_at, max_expires_at)
            SELECT $1, $2, $3, owner_id, purpose_id, workload_id, provider_id, provider_name, models, labels,
                   'active', $4, $4 + interval '15 minutes', $4 + interval '1 hour'
            FROM credentials WHERE id = $5
            """, connection);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = SecretKey.PublicPrefix(secret) });
        command.Parameters.Add(new() { Value = SecretKey.Hash(secret) });
        command.Parameters.Add(new() { Value = issuedAt });
        command.Parameters.Add(new() { Value = Guid.Parse(templateId) });
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
        return (id.ToString(), secret);
    }
}
