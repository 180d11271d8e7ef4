using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary>One budget in a limits file: <c>{window: day, max_usd: 10, max_tokens: 1000000, alert_percent: 80}</c>.</summary>
public sealed class BudgetFile
{
    public string? Window { get; set; }

    /// <summary>Dollars with at most 6 decimals; a string so that no floating-point conversion can change it.</summary>
    public string? MaxUsd { get; set; }

    public long? MaxTokens { get; set; }

    public int? AlertPercent { get; set; }

    /// <summary>Maps to a proto budget; <paramref name="what"/> locates it in errors.</summary>
    public Budget ToProto(string what)
    {
        if (string.IsNullOrWhiteSpace(Window))
        {
            throw new UsageException($"{what}: window is required (day, month or lifetime)");
        }

        return new Budget
        {
            Window = ParseWindow(Window, YamlFile.Key(what, "window")),
            MaxMicroUsd = MaxUsd is null ? 0 : Usd.ParseMicros(MaxUsd, YamlFile.Key(what, "max_usd")),
            MaxTokens = MaxTokens ?? 0,
            AlertPercent = AlertPercent ?? 0,
        };
    }

    /// <summary>Parses a budget window: day, month or lifetime (or the proto enum name).</summary>
    public static BudgetWindow ParseWindow(string text, string what) => text.Trim().ToLowerInvariant().Replace('-', '_') switch
    {
        "day" or "budget_window_day" => BudgetWindow.Day,
        "month" or "budget_window_month" => BudgetWindow.Month,
        "lifetime" or "budget_window_lifetime" => BudgetWindow.Lifetime,
        _ => throw new UsageException($"invalid window '{text}' for {what} (day, month or lifetime)"),
    };
}
