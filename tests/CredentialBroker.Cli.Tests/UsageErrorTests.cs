using CredentialBroker.Cli.Tests.Infrastructure;

namespace CredentialBroker.Cli.Tests;

public sealed class UsageErrorTests
{
    [Fact]
    public async Task Invoke_UnknownFlag_ExitsTwoWithOneLineError()
    {
        var result = await Brokerctl.RunAsync("creds", "list", "--bogus", "--token", "t");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains("--bogus", result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("3x")]
    [InlineData("15")]
    [InlineData("-5m")]
    [InlineData("m")]
    public async Task Renew_MalformedTtl_ExitsTwo(string ttl)
    {
        var result = await Brokerctl.RunAsync("creds", "renew", Guid.NewGuid().ToString(), "--ttl", ttl, "--token", "t");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"invalid duration '{ttl}'", result.Stderr);
    }

    [Fact]
    public async Task Invoke_NoToken_ExitsTwoNamingTokenOptionAndVariable()
    {
        var result = await Brokerctl.RunAsync("creds", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--token", result.Stderr);
        Assert.Contains("BROKER_TOKEN", result.Stderr);
    }

    [Fact]
    public async Task Invoke_TokenAndAddressFromEnvironment_AreUsed()
    {
        var env = Brokerctl.Environment(variables: new Dictionary<string, string> { ["BROKER_TOKEN"] = "t", ["BROKER_ADDR"] = "http://127.0.0.1:1" });

        var result = await Brokerctl.RunAsync(env, "creds", "list");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: cannot reach broker at http://127.0.0.1:1", result.Stderr.Trim());
    }

    [Fact]
    public async Task Invoke_UnreachableAddress_ExitsOneWithoutStackTrace()
    {
        var result = await Brokerctl.RunAsync("creds", "show", Guid.NewGuid().ToString(), "--addr", "http://127.0.0.1:1", "--token", "t");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: cannot reach broker at http://127.0.0.1:1", result.Stderr.Trim());
    }

    [Fact]
    public async Task Revoke_NoSelector_ExitsTwo()
    {
        var result = await Brokerctl.RunAsync("revoke", "--reason", "r", "--yes", "--token", "t");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--owner", result.Stderr);
    }

    [Fact]
    public async Task Output_UnknownFormat_ExitsTwo()
    {
        var result = await Brokerctl.RunAsync("-o", "xml", "creds", "list", "--token", "t");

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
