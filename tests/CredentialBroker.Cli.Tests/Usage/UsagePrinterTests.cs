using System.Text.Json;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.Cli.Usage;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Tests.Usage;

public sealed class UsagePrinterTests
{
    private static readonly DateTimeOffset _start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset _end = new(2026, 3, 15, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Write_Table_ShowsHeadingTotalsModelsAndBudgets()
    {
        var output = Render(Response(), OutputFormat.Table);

        Assert.Equal(
            """
            purpose 9a2f from 2026-03-01 00:00:00Z to 2026-03-15 12:30:00Z

            MODEL        REQUESTS  FAILED  INPUT   CACHED  OUTPUT  COST
            all models   130       3       250000  20000   41000   $1.0123
            gpt-4o       30        1       50000   0       11000   $1
            gpt-4o-mini  100       2       200000  20000   30000   $0.0123

            BUDGET   ID    WINDOW  WINDOW START          USD SPENT/RESERVED/MAX  TOKENS SPENT/RESERVED/MAX  USED
            purpose  9a2f  day     2026-03-15 00:00:00Z  $8.5 / $0.25 / $10      291000 / 2000 / -          85%
            owner    3b0e  month   2026-03-01 00:00:00Z  $0 / $0 / -             10 / 0 / 1000              1%
            owner    3b0e  month   2026-03-01 00:00:00Z  $0 / $0 / -             0 / 0 / -                  -

            """,
            output);
    }

    [Fact]
    public void Write_Table_NoCallsNoBudgets_ShowsZeroTotalsAndSaysSo()
    {
        var response = new GetUsageResponse { StartTime = Timestamp.FromDateTimeOffset(_start), EndTime = Timestamp.FromDateTimeOffset(_end) };

        var output = Render(response, OutputFormat.Table, new GetUsageRequest { CredentialId = "7f1c" });

        Assert.Equal(
            """
            credential 7f1c from 2026-03-01 00:00:00Z to 2026-03-15 12:30:00Z

            MODEL       REQUESTS  FAILED  INPUT  CACHED  OUTPUT  COST
            all models  0         0       0      0       0       $0

            No budgets apply.

            """,
            output);
    }

    [Fact]
    public void Write_Json_PrintsResponseWithProtoFieldNames()
    {
        var output = Render(Response(), OutputFormat.Json);

        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("2026-03-01T00:00:00Z", root.GetProperty("start_time").GetString());
        Assert.Equal("1012300", root.GetProperty("totals").GetProperty("cost_micro_usd").GetString());
        Assert.Equal("gpt-4o", root.GetProperty("by_model")[0].GetProperty("model").GetString());
        Assert.Equal("BUDGET_WINDOW_DAY", root.GetProperty("budgets")[0].GetProperty("window").GetString());
        Assert.Equal(Response(), GetUsageResponse.Parser.ParseJson(output));
    }

    [Theory]
    [InlineData(10_000_000, 9_999_999, 0, 0, "99%")]
    [InlineData(10_000_000, 10_000_000, 0, 0, "100%")]
    [InlineData(10_000_000, 12_000_000, 0, 0, "120%")]
    [InlineData(10_000_000, 1_000_000, 1000, 900, "90%")]
    [InlineData(0, 5, 0, 5, "-")]
    public void Used_PercentOfClosestCeiling_RoundsDown(long maxMicros, long spentMicros, long maxTokens, long spentTokens, string expected)
    {
        var budget = new BudgetStatus { MaxMicroUsd = maxMicros, SpentMicroUsd = spentMicros, MaxTokens = maxTokens, SpentTokens = spentTokens };

        Assert.Equal(expected, UsagePrinter.Used(budget));
    }

    private static string Render(GetUsageResponse response, OutputFormat format, GetUsageRequest? request = null)
    {
        var writer = new StringWriter { NewLine = "\n" };
        UsagePrinter.Write(writer, request ?? new GetUsageRequest { PurposeId = "9a2f" }, response, format);
        return writer.ToString();
    }

    private static GetUsageResponse Response() => new()
    {
        StartTime = Timestamp.FromDateTimeOffset(_start),
        EndTime = Timestamp.FromDateTimeOffset(_end),
        Totals = new UsageTotals { Requests = 130, FailedRequests = 3, InputTokens = 250_000, CachedInputTokens = 20_000, OutputTokens = 41_000, CostMicroUsd = 1_012_300 },
        ByModel =
        {
            new ModelUsage { Model = "gpt-4o", Totals = new UsageTotals { Requests = 30, FailedRequests = 1, InputTokens = 50_000, OutputTokens = 11_000, CostMicroUsd = 1_000_000 } },
            new ModelUsage { Model = "gpt-4o-mini", Totals = new UsageTotals { Requests = 100, FailedRequests = 2, InputTokens = 200_000, CachedInputTokens = 20_000, OutputTokens = 30_000, CostMicroUsd = 12_300 } },
        },
        Budgets =
        {
            new BudgetStatus
            {
                Scope = "purpose", ScopeId = "9a2f", Window = BudgetWindow.Day, WindowStart = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero)),
                MaxMicroUsd = 10_000_000, SpentMicroUsd = 8_500_000, ReservedMicroUsd = 250_000, SpentTokens = 291_000, ReservedTokens = 2000,
            },
            new BudgetStatus { Scope = "owner", ScopeId = "3b0e", Window = BudgetWindow.Month, WindowStart = Timestamp.FromDateTimeOffset(_start), MaxTokens = 1000, SpentTokens = 10 },
            new BudgetStatus { Scope = "owner", ScopeId = "3b0e", Window = BudgetWindow.Month, WindowStart = Timestamp.FromDateTimeOffset(_start) },
        },
    };
}
