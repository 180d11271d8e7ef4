using CredentialBroker.Cli.Tests.Infrastructure;

namespace CredentialBroker.Cli.Tests;

/// <summary>Shell completion goes through System.CommandLine's [suggest] directive (used by dotnet-suggest).</summary>
public sealed class CompletionTests
{
    [Theory]
    [InlineData("cred", "creds")]
    [InlineData("creds re", "renew")]
    [InlineData("revoke --dry", "--dry-run")]
    public async Task Suggest_PartialCommandLine_OffersCompletions(string typed, string expected)
    {
        var result = await Brokerctl.RunAsync($"[suggest:{typed.Length}]", typed);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Stdout.Split('\n', StringSplitOptions.TrimEntries));
    }
}
