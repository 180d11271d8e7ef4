using CredentialBroker.Client.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Identity;
using System.Security.Cryptography.X509Certificates;
using CredentialBroker.V1;

namespace CredentialBroker.Client.Tests.Identity;

/// <summary>A workload that proves who it is with its client certificate (mTLS), no token.</summary>
public sealed class ClientCertificateIdentityTests(MtlsBrokerFixture broker) : IClassFixture<MtlsBrokerFixture>
{
    [Fact]
    public async Task Start_WithClientCertificate_IssuesForTheCertificatesWorkload()
    {
        var world = await broker.SeedAsync();
        const string spiffeId = "spiffe://test.local/client-library-agent";
        var workload = await broker.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = spiffeId, OwnerId = world.Owner.Id }, broker.AdminAuth);
        await broker.Admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = workload.Id, PurposeId = world.Purpose.Id }, broker.AdminAuth);

        var directory = Directory.CreateTempSubdirectory("client-mtls-");
        try
        {
            using var certificate = broker.IssueClientCertificate("CN=client-library-agent", spiffeId);
            var certFile = Path.Combine(directory.FullName, "client.pem");
            var keyFile = Path.Combine(directory.FullName, "client.key");
            var caFile = Path.Combine(directory.FullName, "ca.pem");
            await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyFile, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            await File.WriteAllTextAsync(caFile, broker.Authority.ExportCertificatePem());

            using var host = ClientHost.Build(o =>
            {
                o.Address = broker.GrpcAddress;
                o.Purpose = world.Purpose.Name;
                o.Provider = world.Provider.Name;
                o.ClientCertificateFile = certFile;
                o.ClientKeyFile = keyFile;
                o.TrustedCaFile = caFile;
            });
            await host.StartAsync();

            var credential = host.Credentials().CurrentCredential;
            Assert.NotNull(credential);
            var stored = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = credential.Id }, broker.AdminAuth);
            Assert.Equal(workload.Id, stored.Credential.WorkloadId);
            await host.StopAsync();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
