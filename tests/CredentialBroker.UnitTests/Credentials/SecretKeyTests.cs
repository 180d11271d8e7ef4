using CredentialBroker.Server.Credentials;

namespace CredentialBroker.UnitTests.Credentials;

public sealed class SecretKeyTests
{
    [Fact]
    public void Generate_HasPrefixLengthAndValidChecksum()
    {
        var key = SecretKey.Generate(SecretKey.CredentialKind);

        Assert.StartsWith("cbk_", key);
        Assert.Equal(4 + 32 + 6, key.Length);
        Assert.True(SecretKey.IsWellFormed(key, SecretKey.CredentialKind));
        Assert.False(SecretKey.IsWellFormed(key, SecretKey.AccessTokenKind));
    }

    [Fact]
    public void Generate_CarriesAtLeast160BitsOfRandomness()
    {
        // 32 characters drawn uniformly from 62 symbols.
        Assert.True(32 * Math.Log2(62) >= 160);
        var keys = Enumerable.Range(0, 10_000).Select(_ => SecretKey.Generate(SecretKey.CredentialKind)).ToHashSet();
        Assert.Equal(10_000, keys.Count);
        var symbols = keys.SelectMany(k => k[4..36]).Distinct().Count();
        Assert.Equal(62, symbols);
    }

    [Fact]
    public void IsWellFormed_AnySingleCharacterChanged_IsRejected()
    {
        var key = SecretKey.Generate(SecretKey.CredentialKind);
        for (var i = 4; i < key.Length; i++)
        {
            var replacement = key[i] == 'a' ? 'b' : 'a';
            var typo = key[..i] + replacement + key[(i + 1)..];
            Assert.False(SecretKey.IsWellFormed(typo, SecretKey.CredentialKind), $"Changing position {i} went unnoticed.");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cbk_")]
    [InlineData("cbk_short")]
    [InlineData("sk-proj-0123456789abcdef0123456789abcdef0123")]
    [InlineData("cbk_0123456789abcdef0123456789abcde!012345")]
    public void IsWellFormed_Noise_IsRejected(string? candidate) =>
        Assert.False(SecretKey.IsWellFormed(candidate, SecretKey.CredentialKind));

    [Fact]
    public void PublicPrefix_IsKindPlusEightCharacters_AndHashIsSha256()
    {
        var key = SecretKey.Generate(SecretKey.AccessTokenKind);

        Assert.Equal(key[..12], SecretKey.PublicPrefix(key));
        Assert.Equal(32, SecretKey.Hash(key).Length);
        Assert.Equal(SecretKey.Hash(key), SecretKey.Hash(key));
        Assert.NotEqual(SecretKey.Hash(key), SecretKey.Hash(SecretKey.Generate(SecretKey.AccessTokenKind)));
    }
}
