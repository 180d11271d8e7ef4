using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CredentialBroker.Server.Audit;

/// <summary>
/// The hash chain: <c>hash(n) = SHA-256(hash(n-1) || content(n))</c> where content is every
/// field of the event plus its chain position, each length-prefixed so no two events encode alike.
/// </summary>
internal static class AuditChain
{
    public static readonly byte[] Genesis = new byte[32];

    /// <summary>The fields that are sealed, exactly as read back from the database.</summary>
    public sealed record SealedFields(
        long Seq, long Id, DateTimeOffset OccurredAt, string Actor, string? ActorRole, string Action,
        string TargetType, string? TargetId, string? Reason, string Outcome, string Metadata);

    public static byte[] Hash(ReadOnlySpan<byte> previous, SealedFields e)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(previous);
        Append(hash, e.Seq);
        Append(hash, e.Id);
        Append(hash, e.OccurredAt.ToUniversalTime().Ticks);
        Append(hash, e.Actor);
        Append(hash, e.ActorRole);
        Append(hash, e.Action);
        Append(hash, e.TargetType);
        Append(hash, e.TargetId);
        Append(hash, e.Reason);
        Append(hash, e.Outcome);
        Append(hash, e.Metadata);
        return hash.GetHashAndReset();
    }

    private static void Append(IncrementalHash hash, long value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(buffer, value);
        hash.AppendData(buffer);
    }

    private static void Append(IncrementalHash hash, string? value)
    {
        if (value is null)
        {
            Append(hash, -1);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        Append(hash, bytes.Length);
        hash.AppendData(bytes);
    }
}
