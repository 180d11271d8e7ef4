using System.Security.Cryptography;
using System.Text;
using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Providers;

/// <summary>
/// AES-256-GCM envelope encryption of provider root keys: each key is encrypted under its own
/// random data key, and the data key is encrypted under the master key. Stored form:
/// <c>v1.&lt;master key id&gt;.&lt;wrapped data key&gt;.&lt;ciphertext&gt;</c> (base64url parts, each
/// nonce ‖ ciphertext ‖ tag). The provider's name is bound in as associated data, so an
/// envelope copied to another provider row does not decrypt.
/// </summary>
internal sealed class RootKeyProtector(IOptions<BrokerOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Lazy<byte[]?> _masterKey = new(() => LoadMasterKey(options.Value));
    private readonly Lazy<byte[][]> _previousKeys = new(() => LoadPreviousKeys(options.Value));

    public bool IsConfigured => _masterKey.Value is not null;

    /// <summary>
    /// The envelope with its data key wrapped under the current master key (the ciphertext of the
    /// root key itself is unchanged), or null when it already is.
    /// </summary>
    public string? Rewrap(string providerName, string envelope)
    {
        var master = _masterKey.Value ?? throw new InvalidOperationException("No master key is configured.");
        var parts = Parse(envelope);
        if (parts[1] == KeyId(master))
        {
            return null;
        }

        var associated = Encoding.UTF8.GetBytes("provider:" + providerName);
        var dataKey = Open(MasterFor(parts[1], master), FromBase64Url(parts[2]), associated);
        try
        {
            return string.Join('.', "v1", KeyId(master), Base64Url(Seal(master, dataKey, associated)), parts[3]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public string Protect(string providerName, string rootKey)
    {
        var master = _masterKey.Value ?? throw new InvalidOperationException("No master key is configured.");
        var dataKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            var associated = Encoding.UTF8.GetBytes("provider:" + providerName);
            var wrapped = Seal(master, dataKey, associated);
            var ciphertext = Seal(dataKey, Encoding.UTF8.GetBytes(rootKey), associated);
            return string.Join('.', "v1", KeyId(master), Base64Url(wrapped), Base64Url(ciphertext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public string Unprotect(string providerName, string envelope)
    {
        var master = _masterKey.Value ?? throw new InvalidOperationException("No master key is configured.");
        var parts = Parse(envelope);
        var associated = Encoding.UTF8.GetBytes("provider:" + providerName);
        var dataKey = Open(MasterFor(parts[1], master), FromBase64Url(parts[2]), associated);
        try
        {
            return Encoding.UTF8.GetString(Open(dataKey, FromBase64Url(parts[3]), associated));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private static string[] Parse(string envelope)
    {
        var parts = envelope.Split('.');
        return parts.Length == 4 && parts[0] == "v1" ? parts : throw new CryptographicException("Unknown root key envelope format.");
    }

    /// <summary>The current or a previous master key with this id.</summary>
    private byte[] MasterFor(string keyId, byte[] current) =>
        keyId == KeyId(current) ? current
        : _previousKeys.Value.FirstOrDefault(k => KeyId(k) == keyId)
          ?? throw new CryptographicException($"The root key was encrypted under master key {keyId}, which is neither the configured master key ({KeyId(current)}) nor one of Broker:PreviousMasterKeys.");

    private static byte[] Seal(byte[] key, byte[] plaintext, byte[] associated)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), associated);
        return output;
    }

    private static byte[] Open(byte[] key, byte[] sealedData, byte[] associated)
    {
        var plaintext = new byte[sealedData.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedData.AsSpan(0, NonceSize), sealedData.AsSpan(NonceSize, plaintext.Length), sealedData.AsSpan(NonceSize + plaintext.Length), plaintext, associated);
        return plaintext;
    }

    /// <summary>Names a master key without revealing it: the first 8 hex digits of its SHA-256.</summary>
    private static string KeyId(byte[] master) => Convert.ToHexStringLower(SHA256.HashData(master))[..8];

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }

    private static byte[][] LoadPreviousKeys(BrokerOptions options) =>
        options.PreviousMasterKeys.Concat(options.PreviousMasterKeyFiles.Select(File.ReadAllText))
            .Where(t => !string.IsNullOrWhiteSpace(t)).Select(Decode).ToArray();

    private static byte[]? LoadMasterKey(BrokerOptions options)
    {
        var text = options.MasterKey;
        if (string.IsNullOrWhiteSpace(text) && options.MasterKeyFile is { } file)
        {
            text = File.ReadAllText(file);
        }

        return string.IsNullOrWhiteSpace(text) ? null : Decode(text);
    }

    private static byte[] Decode(string text)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("The master key (Broker:MasterKey or Broker:MasterKeyFile) is not base64; generate one with 'openssl rand -base64 32'.");
        }

        return key.Length == 32
            ? key
            : throw new InvalidOperationException($"The master key must be 32 bytes (AES-256); it is {key.Length}. Generate one with 'openssl rand -base64 32'.");
    }
}
