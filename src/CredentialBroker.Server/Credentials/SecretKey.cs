using System.Security.Cryptography;
using System.Text;

namespace CredentialBroker.Server.Credentials;

/// <summary>
/// Format of every secret the broker hands out: <c>&lt;kind&gt;_&lt;32 random base62&gt;&lt;6 base62 CRC-32&gt;</c>.
/// 32 base62 characters carry 190 bits of randomness; the checksum lets a secret scanner tell a
/// real key from look-alike noise offline, and lets the broker reject typos without a database
/// round trip. Only <see cref="Hash"/> is ever stored.
/// </summary>
public static class SecretKey
{
    /// <summary>Kind of issued credential keys.</summary>
    public const string CredentialKind = "cbk";

    /// <summary>Kind of broker access tokens.</summary>
    public const string AccessTokenKind = "cbt";

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int RandomLength = 32;
    private const int ChecksumLength = 6;
    private const int PublicLength = 8;

    /// <summary>Creates a new secret of the given kind.</summary>
    public static string Generate(string kind)
    {
        var random = RandomNumberGenerator.GetString(Alphabet, RandomLength);
        var body = kind + "_" + random;
        return body + Checksum(body);
    }

    /// <summary>
    /// True when <paramref name="candidate"/> has the shape and checksum of a secret of this kind.
    /// Says nothing about whether the broker issued it.
    /// </summary>
    public static bool IsWellFormed(string? candidate, string kind)
    {
        var length = kind.Length + 1 + RandomLength + ChecksumLength;
        if (candidate is null || candidate.Length != length || !candidate.StartsWith(kind + "_", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in candidate.AsSpan(kind.Length + 1))
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        var body = candidate[..^ChecksumLength];
        return CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Checksum(body)),
            Encoding.ASCII.GetBytes(candidate[^ChecksumLength..]));
    }

    /// <summary>The non-secret beginning shown in listings and logs, e.g. <c>cbk_3fZk9QaB</c>.</summary>
    public static string PublicPrefix(string secret) => secret[..(secret.IndexOf('_') + 1 + PublicLength)];

    /// <summary>SHA-256 of the secret: what is stored and looked up. Secrets carry 190 random bits, so a fast hash suffices.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Checksum(string body)
    {
        var crc = Crc32.Compute(Encoding.ASCII.GetBytes(body));
        Span<char> chars = stackalloc char[ChecksumLength];
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(crc % 62)];
            crc /= 62;
        }

        return new string(chars);
    }
}
