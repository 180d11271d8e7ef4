using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CredentialBroker.Server.Gateway;

/// <summary>
/// A short, non-reversible fingerprint of what the model reads in a request (model and every text
/// part), so the anomaly job can see the same prompt sent over and over without the prompt ever
/// being stored: the first 16 hex digits (64 bits) of a SHA-256 over length-prefixed parts.
/// </summary>
internal static class PromptFingerprint
{
    public static string? Of(ProviderRequest request)
    {
        if (request.Texts.Count == 0)
        {
            return null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, request.Model);
        foreach (var text in request.Texts)
        {
            Add(hash, text);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset(), 0, 8);
    }

    private static void Add(IncrementalHash hash, string part)
    {
        Span<byte> length = stackalloc byte[4];
        var bytes = Encoding.UTF8.GetBytes(part);
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
