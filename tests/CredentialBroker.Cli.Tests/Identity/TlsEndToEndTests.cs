using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Identity;

namespace CredentialBroker.Cli.Tests.Identity;

/// <summary>brokerctl against a TLS broker whose certificate is signed by a private CA.</summary>
public sealed class TlsEndToEndTests(MtlsBrokerFixture broker) : IClassFixture<MtlsBrokerFixture>, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("brokerctl-tls-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task WhoAmI_CaCert_TrustsBrokerCertificate()
    {
        var world = await broker.SeedAsync();
        var ca = WriteFile("ca.pem", broker.Authority.ExportCertificatePem());

        var result = await Brokerctl.RunAsync("whoami", "--addr", broker.GrpcAddress, "--ca-cert", ca, "--token", world.OwnerToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(world.Owner.Id, result.Stdout);
    }

    [Fact]
    public async Task WhoAmI_NoCaCert_RefusesUntrustedBroker()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("whoami", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.StartsWith("error: TLS handshake with broker at " + broker.GrpcAddress, result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task WhoAmI_OtherCa_RefusesBroker()
    {
        var world = await broker.SeedAsync();
        using var other = MtlsBrokerFixture.CreateAuthority("CN=Unrelated CA");
        var ca = WriteFile("other-ca.pem", other.ExportCertificatePem());

        var result = await Brokerctl.RunAsync("whoami", "--addr", broker.GrpcAddress, "--ca-cert", ca, "--token", world.OwnerToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("TLS handshake", result.Stderr);
    }

    [Fact]
    public async Task WhoAmI_ClientCertificateFromEnvironment_AuthenticatesWorkloadWithoutToken()
    {
        var world = await broker.SeedAsync();
        using var certificate = broker.IssueClientCertificate("CN=agent", world.Workload.Identity);
        var variables = new Dictionary<string, string>
        {
            ["BROKER_CACERT"] = WriteFile("ca.pem", broker.Authority.ExportCertificatePem()),
            ["BROKER_CLIENT_CERT"] = WriteFile("client.pem", certificate.ExportCertificatePem()),
            ["BROKER_CLIENT_KEY"] = WriteFile("client.key", certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()),
        };

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(variables: variables), "whoami", "-o", "json", "--addr", broker.GrpcAddress);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("ROLE_WORKLOAD", json.RootElement.GetProperty("role").GetString());
        Assert.Equal(world.Workload.Id, json.RootElement.GetProperty("workload_id").GetString());
    }

    [Fact]
    public async Task WhoAmI_ClientCertificateAndKeyInOneFile_AuthenticatesWorkload()
    {
        var world = await broker.SeedAsync();
        using var certificate = broker.IssueClientCertificate("CN=agent", world.Workload.Identity);
        var ca = WriteFile("ca.pem", broker.Authority.ExportCertificatePem());
        var both = WriteFile("client-both.pem", certificate.ExportCertificatePem() + "\n" + certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        var result = await Brokerctl.RunAsync("whoami", "--addr", broker.GrpcAddress, "--ca-cert", ca, "--client-cert", both);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(world.Workload.Id, result.Stdout);
    }

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
