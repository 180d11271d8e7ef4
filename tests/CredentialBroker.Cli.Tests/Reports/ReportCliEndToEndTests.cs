using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Reports;

namespace CredentialBroker.Cli.Tests.Reports;

/// <summary><c>inventory</c> and <c>report compliance</c> against the real broker, on a database of their own.</summary>
public sealed class ReportCliEndToEndTests(ReportFixture broker) : IClassFixture<ReportFixture>
{
    [Fact]
    public async Task ReportCompliance_PassThenViolation_ExitCodeGatesThePipeline()
    {
        var world = await broker.SeedBoundedAsync();
        var credential = (await broker.IssueAsync(world)).Credential;

        var passing = await Brokerctl.RunAsync("report", "compliance", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);
        Assert.True(passing.ExitCode == ExitCodes.Ok, passing.ToString());
        Assert.Contains(": PASS", passing.Stdout, StringComparison.Ordinal);
        Assert.Contains("OWASP NHI-9", passing.Stdout, StringComparison.Ordinal);

        await broker.ExecuteAsync($"UPDATE credentials SET max_expires_at = issued_at + interval '90 days' WHERE id = '{credential.Id}'");
        var failing = await Brokerctl.RunAsync("report", "compliance", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);
        var csv = await Brokerctl.RunAsync("-o", "csv", "report", "compliance", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.Equal(ExitCodes.ControlFailed, failing.ExitCode);
        Assert.Contains(": FAIL", failing.Stdout, StringComparison.Ordinal);
        Assert.Contains($"  - {credential.Id} (internal", failing.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 of 10 controls failed", failing.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.ControlFailed, csv.ExitCode);
        Assert.StartsWith("id,status,measured,threshold,references,title,evidence,findings\r\n", csv.Stdout, StringComparison.Ordinal);
        Assert.Contains("\r\nlifetime-by-tier,fail,", csv.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inventory_Csv_OneRowPerGroupAndATotal()
    {
        var world = await broker.SeedBoundedAsync();
        await broker.IssueAsync(world, TimeSpan.FromMinutes(10));

        var result = await Brokerctl.RunAsync("-o", "csv", "inventory", "--by", "owner,risk_tier", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var lines = result.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("owner,owner_id,risk_tier,live,ttl_p50,ttl_p90,ttl_max,lifetime_max,last_used,never_used,requests,spend_usd", lines[0]);
        Assert.Contains($"{world.Owner.Name},{world.Owner.Id},internal,1,600,600,600,14400,,1,0,0.000000", lines);
        Assert.StartsWith("TOTAL,,,", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inventory_UnknownDimension_UsageErrorBeforeAnyCall()
    {
        var result = await Brokerctl.RunAsync("inventory", "--by", "team", "--addr", "http://127.0.0.1:1", "--token", "x");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--by: unknown dimension 'team'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CsvOutput_OnACommandWithoutIt_UsageError()
    {
        var result = await Brokerctl.RunAsync("-o", "csv", "creds", "list", "--addr", "http://127.0.0.1:1", "--token", "x");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("-o csv is for 'inventory' and 'report compliance'", result.Stderr, StringComparison.Ordinal);
    }
}
