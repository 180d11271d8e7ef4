using System.Globalization;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Usage;

/// <summary>Prints a GetUsage response: a heading, totals and models, then budgets; or the response as JSON.</summary>
public static class UsagePrinter
{
    /// <summary>Prints <paramref name="response"/>; <paramref name="request"/> names the scope, which the response does not repeat.</summary>
    public static void Write(TextWriter writer, GetUsageRequest request, GetUsageResponse response, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(writer, response);
            return;
        }

        writer.WriteLine($"{Scope(request)} from {Display.Absolute(response.StartTime)} to {Display.Absolute(response.EndTime)}");
        writer.WriteLine();
        var models = new Table("MODEL", "REQUESTS", "FAILED", "INPUT", "CACHED", "OUTPUT", "COST");
        models.Add(TotalsRow("all models", response.Totals ?? new UsageTotals()));
        foreach (var model in response.ByModel)
        {
            models.Add(TotalsRow(model.Model, model.Totals ?? new UsageTotals()));
        }

        models.Write(writer);
        writer.WriteLine();
        if (response.Budgets.Count == 0)
        {
            writer.WriteLine("No budgets apply.");
            return;
        }

        var budgets = new Table("BUDGET", "ID", "WINDOW", "WINDOW START", "USD SPENT/RESERVED/MAX", "TOKENS SPENT/RESERVED/MAX", "USED");
        foreach (var b in response.Budgets)
        {
            budgets.Add(
                b.Scope,
                b.ScopeId,
                Display.Window(b.Window),
                Display.Absolute(b.WindowStart),
                $"{Usd.Format(b.SpentMicroUsd)} / {Usd.Format(b.ReservedMicroUsd)} / {(b.MaxMicroUsd > 0 ? Usd.Format(b.MaxMicroUsd) : "-")}",
                $"{Count(b.SpentTokens)} / {Count(b.ReservedTokens)} / {(b.MaxTokens > 0 ? Count(b.MaxTokens) : "-")}",
                Used(b));
        }

        budgets.Write(writer);
    }

    /// <summary>
    /// Settled spend as a percent of the ceiling closest to being reached (money or tokens), rounded down so that
    /// 100% means exhausted; "-" without a ceiling.
    /// </summary>
    public static string Used(BudgetStatus budget)
    {
        var fractions = new List<decimal>();
        if (budget.MaxMicroUsd > 0)
        {
            fractions.Add((decimal)budget.SpentMicroUsd / budget.MaxMicroUsd);
        }

        if (budget.MaxTokens > 0)
        {
            fractions.Add((decimal)budget.SpentTokens / budget.MaxTokens);
        }

        return fractions.Count == 0 ? "-" : Count((long)decimal.Floor(fractions.Max() * 100)) + "%";
    }

    private static string Scope(GetUsageRequest request) => request.ScopeCase switch
    {
        GetUsageRequest.ScopeOneofCase.CredentialId => "credential " + request.CredentialId,
        GetUsageRequest.ScopeOneofCase.PurposeId => "purpose " + request.PurposeId,
        GetUsageRequest.ScopeOneofCase.OwnerId => "owner " + request.OwnerId,
        _ => "usage",
    };

    private static string?[] TotalsRow(string label, UsageTotals t) =>
        [label, Count(t.Requests), Count(t.FailedRequests), Count(t.InputTokens), Count(t.CachedInputTokens), Count(t.OutputTokens), Usd.Format(t.CostMicroUsd)];

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}
