using System.Security.Cryptography;
using System.Text.Json;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialBroker.IntegrationTests.Identity;

/// <summary>Workloads authenticate with JWTs from a configured issuer whose keys are in a JWKS file.</summary>
public sealed class JwtAuthenticationTests(JwtBrokerFixture broker) : IClassFixture<JwtBrokerFixture>
{
    [Fact]
    public async Task Issue_JwtForRegisteredWorkload_IssuesCredentialForThatWorkload()
    {
        var world = await broker.SeedAsync();

        var issued = await IssueAsync(world, broker.CreateToken(world.Workload.Identity));

        Assert.Equal(world.Workload.Id, issued.Credential.WorkloadId);
        Assert.Equal(world.Owner.Id, issued.Credential.OwnerId);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.issued' AND actor = 'workload:{world.Workload.Identity}'"));
    }

    [Fact]
    public async Task Issue_JwtForAnotherAudience_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        var token = broker.CreateToken(world.Workload.Identity, t => t.Audience = "some-other-service");

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, token), "audience");
    }

    [Fact]
    public async Task Issue_JwtFromUntrustedIssuer_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        var token = broker.CreateToken(world.Workload.Identity, t => t.Issuer = "https://issuer.evil.example");

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, token), "issuer is not trusted");
    }

    [Fact]
    public async Task Issue_JwtExpiredByBrokerClock_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        var token = broker.CreateToken(world.Workload.Identity, t => t.Expires = broker.Time.GetUtcNow().UtcDateTime.AddMinutes(5));
        await IssueAsync(world, token);

        broker.Time.Advance(TimeSpan.FromMinutes(6));

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, token), "expired");
    }

    [Fact]
    public async Task Issue_JwtNotYetValidByBrokerClock_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        var now = broker.Time.GetUtcNow().UtcDateTime;
        var token = broker.CreateToken(world.Workload.Identity, t => (t.NotBefore, t.Expires) = (now.AddMinutes(10), now.AddMinutes(20)));

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, token), "not yet valid");
    }

    [Fact]
    public async Task Issue_JwtWithoutExpiry_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        var token = broker.CreateToken(world.Workload.Identity, t => t.Expires = null, setDefaultTimes: false);

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, token), "no expiry");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Issue_JwtSignedWithAnotherKey_ReturnsUnauthenticated(bool claimsTrustedKeyId)
    {
        var world = await broker.SeedAsync();
        var forger = JwtBrokerFixture.NewKey();
        if (claimsTrustedKeyId)
        {
            forger.KeyId = broker.SigningKey.KeyId;
        }

        var token = broker.CreateToken(world.Workload.Identity, signingKey: forger);

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, token), "signature does not verify");
        Assert.Equal(0, await broker.CountAsync("credentials", $"workload_id = '{world.Workload.Id}'"));
    }

    [Fact]
    public async Task Issue_JwtWithoutSubject_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        var token = broker.CreateToken(subject: null);

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, token), "no 'sub' claim");
    }

    [Theory]
    [InlineData("abc.def.ghi")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln")]
    public async Task Issue_MalformedJwt_ReturnsUnauthenticated(string token)
    {
        var world = await broker.SeedAsync();

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, token), "not a well-formed JWT");
    }

    [Fact]
    public async Task Issue_JwtSubjectNotRegistered_ReturnsPermissionDenied()
    {
        var world = await broker.SeedAsync();
        var token = broker.CreateToken("spiffe://test.local/nobody-registered-me");

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, () => IssueAsync(world, token), "'spiffe://test.local/nobody-registered-me' is not a registered workload");
    }

    [Fact]
    public async Task Issue_JwksFileRotated_NewKeyAcceptedAndOldKeyRejectedWithoutRestart()
    {
        var world = await broker.SeedAsync();
        var oldToken = broker.CreateToken(world.Workload.Identity);
        await IssueAsync(world, oldToken);

        broker.RotateKey();

        await IssueAsync(world, broker.CreateToken(world.Workload.Identity));
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, oldToken), "signature does not verify");
    }

    [Fact]
    public async Task Issue_JwksFileRotatedWithTimestampPreserved_NewKeyAccepted()
    {
        var world = await broker.SeedAsync();
        await IssueAsync(world, broker.CreateToken(world.Workload.Identity));
        var stamp = File.GetLastWriteTimeUtc(broker.JwksFile);

        // A copy that keeps timestamps (cp -p, rsync -t, an unpacked archive) leaves the file time unchanged.
        broker.RotateKey();
        File.SetLastWriteTimeUtc(broker.JwksFile, stamp);

        var issued = await IssueAsync(world, broker.CreateToken(world.Workload.Identity));
        Assert.Equal(world.Workload.Id, issued.Credential.WorkloadId);
    }

    [Fact]
    public async Task Issue_JwksFileUnreadable_ReturnsUnavailableUntilItIsBack()
    {
        var world = await broker.SeedAsync();
        var token = broker.CreateToken(world.Workload.Identity);
        await IssueAsync(world, token);
        var parked = broker.JwksFile + ".parked";

        File.Move(broker.JwksFile, parked);
        try
        {
            await RpcAssert.FailsAsync(StatusCode.Unavailable, () => IssueAsync(world, token), "could not be loaded");
        }
        finally
        {
            File.Move(parked, broker.JwksFile);
        }

        await IssueAsync(world, token);
    }

    private async Task<IssueCredentialResponse> IssueAsync(World world, string jwt) =>
        await broker.Credentials.IssueCredentialAsync(
            new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name },
            BrokerFixture.Bearer(jwt));
}

/// <summary>A broker that trusts one JWT issuer whose RSA signing key is published in a JWKS file.</summary>
public sealed class JwtBrokerFixture : BrokerFixture, IDisposable
{
    public const string Issuer = "https://issuer.test.local";
    public const string Audience = "credential-broker";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("broker-jwt-");

    public JwtBrokerFixture()
    {
        SigningKey = NewKey();
        WriteJwks(SigningKey);
    }

    /// <summary>The key the issuer signs with now; its public half is in <see cref="JwksFile"/>.</summary>
    public RsaSecurityKey SigningKey { get; private set; }

    public string JwksFile => Path.Combine(_directory.FullName, "jwks.json");

    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:JwtIssuers:0:Issuer"] = Issuer,
        ["Broker:JwtIssuers:0:Audience"] = Audience,
        ["Broker:JwtIssuers:0:JwksFile"] = JwksFile,
    };

    public static RsaSecurityKey NewKey() => new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };

    /// <summary>Replaces the published key with a new one, as an issuer rotating its signing key does.</summary>
    public void RotateKey()
    {
        SigningKey = NewKey();
        WriteJwks(SigningKey);
    }

    /// <summary>A token valid for five minutes of broker time, signed with <see cref="SigningKey"/> unless told otherwise.</summary>
    public string CreateToken(string? subject, Action<SecurityTokenDescriptor>? customize = null, SecurityKey? signingKey = null, bool setDefaultTimes = true)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = subject is null ? null : new Dictionary<string, object> { ["sub"] = subject },
            SigningCredentials = new SigningCredentials(signingKey ?? SigningKey, SecurityAlgorithms.RsaSha256),
        };
        customize?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = setDefaultTimes }.CreateToken(descriptor);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private void WriteJwks(RsaSecurityKey key)
    {
        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        var jwks = new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = key.KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
            },
        };

        // Written beside the target and moved over it, as issuers and config-map mounts replace files atomically.
        var staging = JwksFile + ".new";
        File.WriteAllText(staging, JsonSerializer.Serialize(jwks));
        File.Move(staging, JwksFile, overwrite: true);
    }
}
