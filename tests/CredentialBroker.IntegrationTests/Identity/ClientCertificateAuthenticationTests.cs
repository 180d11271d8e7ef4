using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace CredentialBroker.IntegrationTests.Identity;

/// <summary>Workloads authenticate with client certificates from the configured CA over TLS (mTLS).</summary>
public sealed class ClientCertificateAuthenticationTests(MtlsBrokerFixture broker) : IClassFixture<MtlsBrokerFixture>
{
    [Fact]
    public async Task Issue_CertificateWithSpiffeIdOfRegisteredWorkload_IssuesCredentialForThatWorkload()
    {
        var world = await broker.SeedAsync();
        using var certificate = broker.IssueClientCertificate("CN=agent", world.Workload.Identity);

        var issued = await IssueAsync(world, certificate);

        Assert.Equal(world.Workload.Id, issued.Credential.WorkloadId);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.issued' AND actor = 'workload:{world.Workload.Identity}'"));
    }

    [Fact]
    public async Task Issue_CertificateWithoutSpiffeId_AuthenticatesAsSubject()
    {
        var world = await broker.SeedAsync();
        using var certificate = broker.IssueClientCertificate($"CN=batch-{Guid.NewGuid():N}, O=Test");
        var workload = await broker.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = certificate.Subject, OwnerId = world.Owner.Id }, broker.AdminAuth);
        await broker.Admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = workload.Id, PurposeId = world.Purpose.Id }, broker.AdminAuth);

        var issued = await IssueAsync(world, certificate);

        Assert.Equal(workload.Id, issued.Credential.WorkloadId);
    }

    [Fact]
    public async Task Issue_CertificateFromUntrustedCa_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        using var otherCa = MtlsBrokerFixture.CreateAuthority("CN=Some Other CA");
        using var certificate = MtlsBrokerFixture.IssueCertificate(otherCa, "CN=agent", world.Workload.Identity);

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, certificate), "not issued by a CA this broker trusts");
        Assert.Equal(0, await broker.CountAsync("credentials", $"workload_id = '{world.Workload.Id}'"));
    }

    [Fact]
    public async Task Issue_ExpiredCertificate_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        var now = broker.Time.GetUtcNow();
        using var certificate = broker.IssueClientCertificate("CN=agent", world.Workload.Identity, now.AddDays(-10), now.AddDays(-1));

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, certificate), "expired");
    }

    [Fact]
    public async Task Issue_CertificateExpiredByBrokerClock_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        var now = broker.Time.GetUtcNow();
        using var certificate = broker.IssueClientCertificate("CN=agent", world.Workload.Identity, now.AddHours(-1), now.AddHours(1));
        await IssueAsync(world, certificate);

        broker.Time.Advance(TimeSpan.FromHours(2));

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, certificate), "expired");
    }

    [Fact]
    public async Task Issue_CertificateForServersOnly_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();
        using var certificate = broker.IssueClientCertificate("CN=agent", world.Workload.Identity, usage: MtlsBrokerFixture.ServerAuth);

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, () => IssueAsync(world, certificate), "client authentication");
    }

    [Fact]
    public async Task Issue_CertificateOfUnregisteredIdentity_ReturnsPermissionDenied()
    {
        var world = await broker.SeedAsync();
        using var certificate = broker.IssueClientCertificate("CN=agent", "spiffe://test.local/nobody-registered-me");

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, () => IssueAsync(world, certificate), "'spiffe://test.local/nobody-registered-me' is not a registered workload");
    }

    [Fact]
    public async Task Issue_TlsWithoutCertificateOrToken_ReturnsUnauthenticated()
    {
        var world = await broker.SeedAsync();

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated,
            broker.Credentials.IssueCredentialAsync(new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name }),
            "No credentials");
    }

    [Fact]
    public async Task BearerToken_OverTls_StillAuthenticatesAndWinsOverCertificate()
    {
        var world = await broker.SeedAsync();
        using var stranger = broker.IssueClientCertificate("CN=stranger", "spiffe://test.local/stranger");
        using var channel = broker.CreateClientChannel(stranger);

        var owners = await broker.Admin.ListOwnersAsync(new ListOwnersRequest(), broker.AdminAuth);
        var issued = await new CredentialService.CredentialServiceClient(channel).IssueCredentialAsync(
            new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name }, BrokerFixture.Bearer(world.WorkloadToken));

        Assert.Contains(owners.Owners, o => o.Id == world.Owner.Id);
        Assert.Equal(world.Workload.Id, issued.Credential.WorkloadId);
    }

    private async Task<IssueCredentialResponse> IssueAsync(World world, X509Certificate2 clientCertificate)
    {
        using var channel = broker.CreateClientChannel(clientCertificate);
        return await new CredentialService.CredentialServiceClient(channel).IssueCredentialAsync(
            new IssueCredentialRequest { Purpose = world.Purpose.Name, Provider = world.Provider.Name });
    }
}

/// <summary>
/// A broker whose gRPC endpoint is HTTPS with a server certificate from a test CA, and which accepts
/// client certificates from that CA (<c>Broker:ClientCertificateCaFile</c>).
/// </summary>
public sealed class MtlsBrokerFixture : BrokerFixture, IDisposable
{
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ServerCertificatePassword = "test-server-pfx";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("broker-mtls-");

    public MtlsBrokerFixture()
    {
        Authority = CreateAuthority("CN=Broker Test Workload CA, O=Test");
        File.WriteAllText(CaFile, Authority.ExportCertificatePem());
        using var server = IssueCertificate(Authority, "CN=localhost", spiffeId: null, usage: ServerAuth, dnsName: "localhost");
        File.WriteAllBytes(ServerCertificateFile, server.Export(X509ContentType.Pkcs12, ServerCertificatePassword));
    }

    /// <summary>The CA that signs the server certificate and the workloads' client certificates.</summary>
    public X509Certificate2 Authority { get; }

    private string CaFile => Path.Combine(_directory.FullName, "workload-ca.pem");

    private string ServerCertificateFile => Path.Combine(_directory.FullName, "server.pfx");

    protected override string Scheme => "https";

    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Kestrel:Endpoints:Grpc:Certificate:Path"] = ServerCertificateFile,
        ["Kestrel:Endpoints:Grpc:Certificate:Password"] = ServerCertificatePassword,
        ["Broker:ClientCertificateCaFile"] = CaFile,
    };

    public static X509Certificate2 CreateAuthority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-30), now.AddYears(1));
    }

    /// <summary>A leaf certificate signed by <paramref name="issuer"/>, with its private key.</summary>
    public static X509Certificate2 IssueCertificate(
        X509Certificate2 issuer, string subject, string? spiffeId, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        string usage = ClientAuth, string? dnsName = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var names = new SubjectAlternativeNameBuilder();
        if (spiffeId is not null)
        {
            names.AddUri(new Uri(spiffeId));
        }

        if (dnsName is not null)
        {
            names.AddDnsName(dnsName);
            names.AddIpAddress(System.Net.IPAddress.Loopback);
        }

        if (spiffeId is not null || dnsName is not null)
        {
            request.CertificateExtensions.Add(names.Build());
        }

        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(issuer, notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(30), RandomNumberGenerator.GetBytes(16));
        using var withKey = certificate.CopyWithPrivateKey(key);

        // Round-trip through PKCS#12 so the key is usable by TLS on every platform (Windows needs a stored key).
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A client certificate from <see cref="Authority"/>: for a workload, by SPIFFE ID (URI SAN) or subject.</summary>
    public X509Certificate2 IssueClientCertificate(
        string subject, string? spiffeId = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string usage = ClientAuth) =>
        IssueCertificate(Authority, subject, spiffeId, notBefore, notAfter, usage);

    /// <summary>A channel to the TLS endpoint that trusts only <see cref="Authority"/> and presents <paramref name="clientCertificate"/>.</summary>
    public GrpcChannel CreateClientChannel(X509Certificate2? clientCertificate) => CreateChannel(GrpcAddress, clientCertificate);

    public void Dispose()
    {
        Authority.Dispose();
        _directory.Delete(recursive: true);
    }

    protected override GrpcChannel CreateChannel(string address) => CreateChannel(address, clientCertificate: null);

    private GrpcChannel CreateChannel(string address, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None &&
                    certificate is X509Certificate2 server && IsIssuedByAuthority(server),
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
            },
        };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private bool IsIssuedByAuthority(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
