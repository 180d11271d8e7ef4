using System.Security.Cryptography;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Providers;
using Microsoft.Extensions.Options;

namespace CredentialBroker.UnitTests.Providers;

public sealed class RootKeyProtectorTests
{
    private static RootKeyProtector Protector(string? masterKey) =>
        new(Options.Create(new BrokerOptions { MasterKey = masterKey }));

    private static readonly string _master = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void ProtectThenUnprotect_RoundTripsWithoutPlaintextInEnvelope()
    {
        var protector = Protector(_master);
        var envelope = protector.Protect("openai", "sk-secret-123");

        Assert.StartsWith("v1.", envelope);
        Assert.DoesNotContain("sk-secret-123", envelope);
        Assert.NotEqual(envelope, protector.Protect("openai", "sk-secret-123"));
        Assert.Equal("sk-secret-123", protector.Unprotect("openai", envelope));
    }

    [Fact]
    public void Unprotect_EnvelopeMovedToAnotherProvider_Fails()
    {
        var protector = Protector(_master);
        var envelope = protector.Protect("openai", "sk-secret-123");
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("anthropic", envelope));
    }

    [Fact]
    public void Unprotect_OtherMasterKey_FailsNamingTheKeyIds()
    {
        var envelope = Protector(_master).Protect("openai", "sk-secret-123");
        var ex = Assert.ThrowsAny<CryptographicException>(() => Protector(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).Unprotect("openai", envelope));
        Assert.Contains("master key", ex.Message);
    }

    [Theory]
    [InlineData("not base64 !!")]
    [InlineData("c2hvcnQ=")]
    public void MasterKey_Invalid_FailsWithActionableMessage(string masterKey)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Protector(masterKey).IsConfigured);
        Assert.Contains("openssl rand -base64 32", ex.Message);
    }

    [Fact]
    public void MasterKey_Missing_IsNotConfigured() => Assert.False(Protector(null).IsConfigured);
}
