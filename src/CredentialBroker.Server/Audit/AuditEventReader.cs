using Npgsql;

namespace CredentialBroker.Server.Audit;

/// <summary>Reads the sealed fields of an audit row; sealing and verification must read them identically.</summary>
internal static class AuditEventReader
{
    /// <summary>Columns in the order <see cref="Read"/> expects, starting at ordinal 0.</summary>
    public const string Columns = "id, occurred_at, actor, actor_role, action, target_type, target_id, reason, outcome, metadata::text";

    public static AuditChain.SealedFields Read(NpgsqlDataReader reader, long seq) => new(
        seq,
        reader.GetInt64(0),
        reader.GetFieldValue<DateTimeOffset>(1),
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.GetString(8),
        reader.GetString(9));
}
