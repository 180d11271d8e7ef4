using Npgsql;

namespace CredentialBroker.Server.Audit;

/// <summary>Walks the sealed chain in order and reports the first link that does not hold.</summary>
internal sealed class AuditVerifier(NpgsqlDataSource dataSource)
{
    public sealed record Result(bool Ok, long Verified, long Unsealed, long BrokenSeq = 0, long BrokenEventId = 0, string? Problem = null);

    public async Task<Result> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        long unsealed;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM audit_events WHERE seq IS NULL", connection))
        {
            unsealed = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT {AuditEventReader.Columns}, seq, prev_hash, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var previous = AuditChain.Genesis;
        long expectedSeq = 1;
        long verified = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var seq = reader.GetInt64(10);
            var fields = AuditEventReader.Read(reader, seq);
            var storedPrev = (byte[])reader[11];
            var storedHash = (byte[])reader[12];
            if (seq != expectedSeq)
            {
                return new Result(false, verified, unsealed, expectedSeq, 0,
                    $"gap: event(s) at chain position {expectedSeq}{(seq - 1 > expectedSeq ? $"-{seq - 1}" : string.Empty)} are missing (removed)");
            }

            if (!storedPrev.AsSpan().SequenceEqual(previous))
            {
                return new Result(false, verified, unsealed, seq, fields.Id, "broken link: prev_hash does not match the previous event's hash (events removed, reordered or re-chained)");
            }

            var expected = AuditChain.Hash(previous, fields);
            if (!storedHash.AsSpan().SequenceEqual(expected))
            {
                return new Result(false, verified, unsealed, seq, fields.Id, "hash mismatch: the event's content was changed after it was sealed");
            }

            previous = storedHash;
            expectedSeq++;
            verified++;
        }

        return new Result(true, verified, unsealed);
    }
}
