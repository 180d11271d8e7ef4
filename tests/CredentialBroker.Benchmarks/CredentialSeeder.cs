using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Seeds many live credentials in bulk (plain INSERT ... SELECT, so every index and constraint is
/// maintained), each a copy of one credential the broker really issued with a fresh prefix and hash.
/// </summary>
internal static class CredentialSeeder
{
    private const long Chunk = 250_000;

    /// <summary>
    /// Inserts <paramref name="count"/> copies of <paramref name="templateId"/>, then ANALYZEs; returns the seconds taken.
    /// With <paramref name="expiring"/>, the copies expire spread evenly over that window (issued an hour before),
    /// otherwise when the template does.
    /// </summary>
    public static async Task<double> SeedAsync(
        NpgsqlDataSource data, Guid templateId, long count, (DateTimeOffset From, TimeSpan Spread)? expiring, string scenario, TextWriter progress, CancellationToken cancellationToken)
    {
        var seed = Stopwatch.StartNew();
        var hashSalt = Guid.NewGuid().ToString("N");
        for (long done = 0; done < count; done += Chunk)
        {
            var rows = Math.Min(Chunk, count - done);
            await progress.WriteLineAsync($"{scenario}: seeding credentials {done + 1:N0}-{done + rows:N0} of {count:N0}...");
            // Expiry instants step evenly through the window and start over every 100,000 rows, so table order does not follow them.
            await using var insert = data.CreateCommand(
                """
                INSERT INTO credentials (id, prefix, secret_hash, owner_id, purpose_id, workload_id, provider_id, provider_name, models, labels, status,
                                         issued_at, expires_at, max_expires_at)
                SELECT gen_random_uuid(), 'cbk_seed' || i, sha256(convert_to($2 || ':' || i, 'UTF8')), t.owner_id, t.purpose_id, t.workload_id,
                       t.provider_id, t.provider_name, t.models, t.labels, 'active',
                       coalesce(e.expires_at - interval '1 hour', t.issued_at - interval '1 second'),
                       coalesce(e.expires_at, t.expires_at), greatest(t.max_expires_at, e.expires_at)
                FROM credentials t, generate_series($3, $4) AS i,
                     LATERAL (SELECT $5::timestamptz + $6::interval * (((i - 1) % $7) / $7::float8) AS expires_at) e
                WHERE t.id = $1
                """);
            insert.CommandTimeout = 0;
            insert.Parameters.Add(new() { Value = templateId });
            insert.Parameters.Add(new() { Value = hashSalt });
            insert.Parameters.Add(new() { Value = done + 1 });
            insert.Parameters.Add(new() { Value = done + rows });
            insert.Parameters.Add(new() { Value = expiring is { } e ? e.From : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new() { Value = expiring is { } s ? s.Spread : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval });
            insert.Parameters.Add(new() { Value = Math.Min(count, 100_000) });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        seed.Stop();
        await using (var analyze = data.CreateCommand("ANALYZE credentials"))
        {
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        return seed.Elapsed.TotalSeconds;
    }
}
