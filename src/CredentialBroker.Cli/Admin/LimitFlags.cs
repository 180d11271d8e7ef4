using System.CommandLine;
using System.CommandLine.Parsing;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary>
/// The flags that set an owner's limits: rates per minute and money budgets per day, month and lifetime.
/// One instance per command, since an option belongs to one command.
/// </summary>
public sealed class LimitFlags
{
    public Option<long?> RequestsPerMinute { get; } = NonNegative(new Option<long?>("--requests-per-minute") { Description = "Requests per minute over all the owner's credentials (0: unlimited)" });

    public Option<long?> TokensPerMinute { get; } = NonNegative(new Option<long?>("--tokens-per-minute") { Description = "Tokens (input + output) per minute over all the owner's credentials (0: unlimited)" });

    public Option<long?> DailyUsd { get; } = new("--daily-usd") { Description = "Budget per calendar day in USD (e.g. 25 or 2.50)", CustomParser = Usd.ParseArgument };

    public Option<long?> MonthlyUsd { get; } = new("--monthly-usd") { Description = "Budget per calendar month in USD", CustomParser = Usd.ParseArgument };

    public Option<long?> LifetimeUsd { get; } = new("--lifetime-usd") { Description = "Budget over all time in USD", CustomParser = Usd.ParseArgument };

    public Option<int?> AlertPercent { get; } = Percent(new Option<int?>("--alert-percent") { Description = "Audit a budget.threshold_reached event when a budget is this percent spent (1-100)" });

    public IEnumerable<Option> All => [RequestsPerMinute, TokensPerMinute, DailyUsd, MonthlyUsd, LifetimeUsd, AlertPercent];

    /// <summary>True when any of the flags was given.</summary>
    public bool AnyGiven(ParseResult parse) => All.Any(option => parse.GetResult(option) is { Implicit: false });

    /// <summary>The limits the flags describe; null when none was given.</summary>
    public Limits? ToLimits(ParseResult parse)
    {
        if (!AnyGiven(parse))
        {
            return null;
        }

        var limits = new Limits
        {
            RequestsPerMinute = parse.GetValue(RequestsPerMinute) ?? 0,
            TokensPerMinute = parse.GetValue(TokensPerMinute) ?? 0,
        };
        var alert = parse.GetValue(AlertPercent) ?? 0;
        foreach (var (option, window) in new[] { (DailyUsd, BudgetWindow.Day), (MonthlyUsd, BudgetWindow.Month), (LifetimeUsd, BudgetWindow.Lifetime) })
        {
            if (parse.GetValue(option) is { } micros)
            {
                limits.Budgets.Add(new Budget { Window = window, MaxMicroUsd = micros, AlertPercent = alert });
            }
        }

        if (alert > 0 && limits.Budgets.Count == 0)
        {
            throw new UsageException("--alert-percent needs a budget: --daily-usd, --monthly-usd or --lifetime-usd");
        }

        return limits;
    }

    private static Option<long?> NonNegative(Option<long?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 0)
            {
                result.AddError($"{option.Name} must not be negative");
            }
        });
        return option;
    }

    private static Option<int?> Percent(Option<int?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 or > 100)
            {
                result.AddError($"{option.Name} must be between 1 and 100");
            }
        });
        return option;
    }
}
