using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;

namespace CredentialBroker.Cli.Tests.Usage;

public sealed class UsageCommandTests
{
    private static readonly DateTimeOffset _now = new(2026, 3, 15, 12, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("give one of --credential, --purpose, --owner")]
    [InlineData("give only one of --credential, --purpose, --owner", "--credential", "a", "--owner", "b")]
    [InlineData("give only one of --credential, --purpose, --owner", "--credential", "a", "--purpose", "b", "--owner", "c")]
    [InlineData("'week'", "--purpose", "a", "--window", "week")]
    [InlineData("invalid time 'yesterday'", "--purpose", "a", "--since", "yesterday")]
    [InlineData("invalid time '2026-01-31T12:00:00'", "--purpose", "a", "--until", "2026-01-31T12:00:00")]
    [InlineData("--window and --since cannot be combined", "--purpose", "a", "--window", "day", "--since", "24h")]
    [InlineData("--since must be before --until", "--purpose", "a", "--since", "2026-02-01", "--until", "2026-01-01")]
    public async Task Usage_BadArguments_ExitsTwoWithOneLineError(string message, params string[] args)
    {
        var result = await Brokerctl.RunAsync(["usage", .. args, "--token", "t", "--addr", "http://127.0.0.1:1"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains(message, result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Usage_CredentialWithWindow_SendsThatScopeAndWindowOnly()
    {
        await using var broker = await RecordingBroker.StartAsync();

        var result = await broker.RunAsync("usage", "--credential", "7f1c", "--window", "day");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = broker.Single<GetUsageRequest>();
        Assert.Equal(new GetUsageRequest { CredentialId = "7f1c", Window = BudgetWindow.Day }, request);
    }

    [Fact]
    public async Task Usage_RelativeSinceAndAbsoluteUntil_SendsInstants()
    {
        await using var broker = await RecordingBroker.StartAsync();
        var env = Brokerctl.Environment(new FakeTimeProvider(_now));

        var result = await broker.RunAsync(env, "usage", "--owner", "3b0e", "--since", "7d", "--until", "2026-03-15T13:00:00+01:00");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = broker.Single<GetUsageRequest>();
        Assert.Equal(GetUsageRequest.ScopeOneofCase.OwnerId, request.ScopeCase);
        Assert.Equal("3b0e", request.OwnerId);
        Assert.Equal(Timestamp.FromDateTimeOffset(_now.AddDays(-7)), request.StartTime);
        Assert.Equal(Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero)), request.EndTime);
        Assert.Equal(BudgetWindow.Unspecified, request.Window);
    }

    [Fact]
    public async Task Usage_Table_PrintsScopeRangeAndCost()
    {
        await using var broker = await RecordingBroker.StartAsync();
        broker.UsageResponse = new GetUsageResponse
        {
            StartTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)),
            EndTime = Timestamp.FromDateTimeOffset(_now),
            Totals = new UsageTotals { Requests = 4, CostMicroUsd = 12_300 },
            ByModel = { new ModelUsage { Model = "gpt-4o-mini", Totals = new UsageTotals { Requests = 4, CostMicroUsd = 12_300 } } },
        };

        var result = await broker.RunAsync("usage", "--purpose", "9a2f");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Equal("purpose 9a2f from 2026-03-01 00:00:00Z to 2026-03-15 12:30:00Z", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("gpt-4o-mini", StringComparison.Ordinal) && l.EndsWith("$0.0123", StringComparison.Ordinal));
        Assert.Equal(new GetUsageRequest { PurposeId = "9a2f" }, broker.Single<GetUsageRequest>());
    }

    [Fact]
    public async Task Usage_Json_PrintsTheResponse()
    {
        await using var broker = await RecordingBroker.StartAsync();
        broker.UsageResponse = new GetUsageResponse { Totals = new UsageTotals { Requests = 2, CostMicroUsd = 5 } };

        var result = await broker.RunAsync("-o", "json", "usage", "--purpose", "9a2f");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(broker.UsageResponse, GetUsageResponse.Parser.ParseJson(result.Stdout));
    }
}
