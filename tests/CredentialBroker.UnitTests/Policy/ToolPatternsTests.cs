using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Policy;

namespace CredentialBroker.UnitTests.Policy;

public sealed class ToolPatternsTests
{
    [Theory]
    [InlineData("shell_*", "shell_exec", true)]
    [InlineData("shell_*", "Shell_Exec", true)]
    [InlineData("shell_*", "shell_", true)]
    [InlineData("shell_*", "myshell_exec", false)]
    [InlineData("*delete*", "bulk_delete_rows", true)]
    [InlineData("*delete*", "delete", true)]
    [InlineData("*delete*", "remove", false)]
    [InlineData("fs_?", "fs_a", true)]
    [InlineData("fs_?", "fs_ab", false)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    [InlineData("*", "anything", true)]
    [InlineData("a*b*c", "a__b__b__c", true)]
    [InlineData("a*b*c", "a__b__b__", false)]
    public void Matches_Globs_CaseInsensitively(string pattern, string tool, bool expected) =>
        Assert.Equal(expected, ToolPatterns.Matches(pattern, tool));

    [Fact]
    public void Matches_PathologicalPattern_StaysFast()
    {
        var tool = new string('a', 10_000);
        var started = System.Diagnostics.Stopwatch.StartNew();

        Assert.False(ToolPatterns.Matches("*a*a*a*a*a*a*a*b", tool));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), "the glob matcher must not backtrack exponentially");
    }

    [Fact]
    public void Validate_ReportsEveryBadPattern_AndDeduplicates()
    {
        var v = new RequestValidator();

        var result = ToolPatterns.Validate(v, "high_risk_tools", ["shell_*", "SHELL_*", "rm -rf", "", new string('x', 129), "ok.tool:v1"]);

        Assert.Equal(["shell_*", "ok.tool:v1"], result);
        var ex = Assert.Throws<global::Grpc.Core.RpcException>(v.ThrowIfInvalid);
        Assert.Contains("high_risk_tools[2]", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("high_risk_tools[3]", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("high_risk_tools[4]", ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("high_risk_tools[5]", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Required_RefusesAnEmptyList()
    {
        var v = new RequestValidator();

        ToolPatterns.Validate(v, "tools", [], required: true);

        Assert.False(v.IsValid);
    }
}
