namespace CredentialBroker.Cli.Tests.Infrastructure;

public sealed class TlsOptionTests
{
    [Theory]
    [InlineData("--ca-cert")]
    [InlineData("--client-cert")]
    public async Task MissingFile_ExitsTwoNamingFlag(string flag)
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".pem");

        var result = await Brokerctl.RunAsync("whoami", "--addr", "https://127.0.0.1:1", "--token", "t", flag, missing);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {flag}", result.Stderr);
        Assert.Contains(missing, result.Stderr);
    }

    [Fact]
    public async Task MissingFileFromEnvironment_ExitsTwoNamingFlagAndVariable()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".pem");
        var env = Brokerctl.Environment(variables: new Dictionary<string, string> { ["BROKER_CACERT"] = missing });

        var result = await Brokerctl.RunAsync(env, "creds", "list", "--addr", "https://127.0.0.1:1", "--token", "t");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--ca-cert", result.Stderr);
        Assert.Contains("BROKER_CACERT", result.Stderr);
    }

    [Fact]
    public async Task ClientKeyWithoutCert_ExitsTwo()
    {
        var key = Path.GetTempFileName();
        try
        {
            var result = await Brokerctl.RunAsync("whoami", "--addr", "https://127.0.0.1:1", "--token", "t", "--client-key", key);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--client-cert", result.Stderr);
        }
        finally
        {
            File.Delete(key);
        }
    }

    [Fact]
    public async Task CaFileWithoutCertificates_ExitsTwo()
    {
        var empty = Path.GetTempFileName();
        try
        {
            var result = await Brokerctl.RunAsync("whoami", "--addr", "https://127.0.0.1:1", "--token", "t", "--ca-cert", empty);

            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith("error: --ca-cert", result.Stderr);
        }
        finally
        {
            File.Delete(empty);
        }
    }
}
