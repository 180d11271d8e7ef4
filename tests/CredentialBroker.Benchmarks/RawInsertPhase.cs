using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// The PostgreSQL ceiling: single-row autocommit INSERTs of a row shaped like a credential (uuid key,
/// unique SHA-256-sized bytea, text, timestamps), one connection and one prepared statement per caller.
/// </summary>
internal sealed class RawInsertPhase : IAsyncDisposable
{
    public const string Description = "INSERT of one credential-shaped row, autocommit, 1 connection per caller";

    private const string Schema =
        """
        CREATE TABLE IF NOT EXISTS raw_credentials (
            id             uuid        PRIMARY KEY,
            prefix         text        NOT NULL,
            secret_hash    bytea       NOT NULL UNIQUE,
            owner_id       uuid        NOT NULL,
            provider_name  text        NOT NULL,
            status         text        NOT NULL,
            issued_at      timestamptz NOT NULL,
            expires_at     timestamptz NOT NULL,
            max_expires_at timestamptz NOT NULL
        )
        """;

    private const string Insert =
        """
        INSERT INTO raw_credentials (id, prefix, secret_hash, owner_id, provider_name, status, issued_at, expires_at, max_expires_at)
        VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8)
        """;

    private readonly List<NpgsqlConnection> _connections = [];
    private readonly List<Func<Task>> _callers = [];

    private RawInsertPhase()
    {
    }

    public IReadOnlyList<Func<Task>> Callers => _callers;

    public static async Task<RawInsertPhase> CreateAsync(NpgsqlDataSource dataSource, int callers, TimeProvider time, CancellationToken cancellationToken)
    {
        await using (var create = dataSource.CreateCommand(Schema))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var phase = new RawInsertPhase();
        try
        {
            var owner = Guid.NewGuid();
            for (var i = 0; i < callers; i++)
            {
                var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                phase._connections.Add(connection);
                phase._callers.Add(await CreateCallerAsync(connection, owner, time, cancellationToken));
            }

            return phase;
        }
        catch
        {
            await phase.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    private static async Task<Func<Task>> CreateCallerAsync(NpgsqlConnection connection, Guid owner, TimeProvider time, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(Insert, connection);
        var id = new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid };
        var prefix = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text };
        var hash = new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea };
        var ownerId = new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid, TypedValue = owner };
        var provider = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = "openai" };
        var issuedAt = new NpgsqlParameter<DateTimeOffset> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        var expiresAt = new NpgsqlParameter<DateTimeOffset> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        var maxExpiresAt = new NpgsqlParameter<DateTimeOffset> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        foreach (var parameter in new NpgsqlParameter[] { id, prefix, hash, ownerId, provider, issuedAt, expiresAt, maxExpiresAt })
        {
            command.Parameters.Add(parameter);
        }

        await command.PrepareAsync(cancellationToken);

        return () =>
        {
            var now = time.GetUtcNow();
            id.TypedValue = Guid.CreateVersion7(now);
            var secret = RandomNumberGenerator.GetBytes(32);
            hash.TypedValue = secret;
            prefix.TypedValue = "cbk_" + Convert.ToHexStringLower(secret, 0, 4);
            issuedAt.TypedValue = now;
            expiresAt.TypedValue = now.AddMinutes(15);
            maxExpiresAt.TypedValue = now.AddHours(4);
            return command.ExecuteNonQueryAsync(cancellationToken);
        };
    }
}
