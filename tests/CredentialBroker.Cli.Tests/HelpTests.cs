using CredentialBroker.Cli.Tests.Infrastructure;

namespace CredentialBroker.Cli.Tests;

public sealed class HelpTests
{
    [Theory]
    [InlineData("whoami")]
    [InlineData("login")]
    [InlineData("creds", "list")]
    [InlineData("creds", "renew")]
    [InlineData("creds")]
    [InlineData("revoke")]
    [InlineData("audit")]
    [InlineData("logout")]
    [InlineData("usage")]
    [InlineData("owners", "limits")]
    [InlineData("providers", "update")]
    [InlineData("purposes", "update")]
    [InlineData("purposes", "show")]
    public async Task Help_EndsWithExamples(params string[] command)
    {
        var result = await Brokerctl.RunAsync([.. command, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Examples:", result.Stdout);
        Assert.Contains("brokerctl " + string.Join(' ', command), result.Stdout);
    }

    [Fact]
    public async Task RootHelp_ListsCommandsByFirstLineOnly_AndEndsDescriptionWithExamples()
    {
        var result = await Brokerctl.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        var commands = result.Stdout[result.Stdout.IndexOf("Commands:", StringComparison.Ordinal)..];
        Assert.DoesNotContain("Examples:", commands);
        Assert.Contains("whoami", commands);
        Assert.Contains("login", commands);
        Assert.Contains("Examples:", result.Stdout[..result.Stdout.IndexOf("Usage:", StringComparison.Ordinal)]);
    }
}
