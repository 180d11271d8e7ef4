using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Seeds live credentials with SQL, as copies of one issued credential (same owner, purpose, workload,
/// provider and labels, issued a second earlier) with random secrets nobody holds, 250,000 per statement.
/// </summary>
internal static class CredentialSeeder
{
    private const long Chunk = 250_000;

    public static async Task SeedAsync(NpgsqlDataSource data, Guid template, long count, string scenario, TextWriter progress, CancellationToken cancellationToken)
    {
        for (long done = 0; done < count; done += Chunk)
        {
            var chunk = Math.Min(Chunk, count - done);
            await progress.WriteLineAsync($"{scenario}: seeding credentials {done + 1:N0}-{done + chunk:N0} of {count:N0}...");
            await using var insert = data.CreateCommand(
                """
                INSERT INTO credentials (id, prefix, secret_hash, owner_id, purpose_id, workload_id, provider_id, provider_name, models, labels, status,
                                         issued_at, expires_at, max_expires_at)
                SELECT gen_random_uuid(), 'cbk_seed' || i, sha256(convert_to($2 || ':' || i, 'UTF8')), t.owner_id, t.purpose_id, t.workload_id,
                       t.provider_id, t.provider_name, t.models, t.labels, 'active', t.issued_at - interval '1 second', t.expires_at, t.max_expires_at
                FROM credentials t, generate_series($3, $4) AS i
                WHERE t.id = $1
                """);
            insert.CommandTimeout = 0;
            insert.Parameters.Add(new() { Value = template });
            insert.Parameters.Add(new() { Value = Guid.NewGuid().ToString("N") });
            insert.Parameters.Add(new() { Value = done + 1 });
            insert.Parameters.Add(new() { Value = done + chunk });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var analyze = data.CreateCommand("ANALYZE credentials");
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }
}
