using System.Globalization;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary>Short, one-line renderings of gateway policies, limits and price tables for tables.</summary>
public static class GatewaySummary
{
    /// <summary>"60 rpm, 100000 tpm, $10/day (alert 80%)"; "none" when unset or all zero.</summary>
    public static string Limits(Limits? limits)
    {
        if (limits is null)
        {
            return "none";
        }

        var parts = new List<string>();
        if (limits.RequestsPerMinute > 0)
        {
            parts.Add(Invariant($"{limits.RequestsPerMinute} rpm"));
        }

        if (limits.TokensPerMinute > 0)
        {
            parts.Add(Invariant($"{limits.TokensPerMinute} tpm"));
        }

        parts.AddRange(limits.Budgets.Select(Budget));
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>"$10/day", "1000000 tokens/month", "$5 or 200000 tokens/day (alert 80%)".</summary>
    public static string Budget(Budget budget)
    {
        var ceilings = new List<string>();
        if (budget.MaxMicroUsd > 0)
        {
            ceilings.Add(Usd.Format(budget.MaxMicroUsd));
        }

        if (budget.MaxTokens > 0)
        {
            ceilings.Add(Invariant($"{budget.MaxTokens} tokens"));
        }

        var text = (ceilings.Count == 0 ? "no ceiling" : string.Join(" or ", ceilings)) + "/" + Display.Window(budget.Window);
        return budget.AlertPercent > 0 ? Invariant($"{text} (alert {budget.AlertPercent}%)") : text;
    }

    /// <summary>
    /// The parts of a policy that differ from the defaults, e.g.
    /// "endpoints chat.completions,messages; max output 4096; call depth 1; sender-bound; unpriced $0.05/call;
    /// per credential 60 rpm; purpose $100/month". "default" when nothing is set.
    /// </summary>
    public static string Gateway(GatewayPolicy? gateway)
    {
        if (gateway is null)
        {
            return "default";
        }

        var parts = new List<string>();
        if (gateway.AllowedEndpoints.Count > 0)
        {
            parts.Add("endpoints " + string.Join(",", gateway.AllowedEndpoints));
        }

        if (gateway.MaxOutputTokens > 0)
        {
            parts.Add(Invariant($"max output {gateway.MaxOutputTokens}"));
        }

        if (gateway.MaxCallDepth > 0)
        {
            parts.Add(Invariant($"call depth {gateway.MaxCallDepth}"));
        }

        if (gateway.MaxDelegationDepth > 0)
        {
            parts.Add(Invariant($"delegation depth {gateway.MaxDelegationDepth}"));
        }

        if (gateway.HighRiskTools.Count > 0)
        {
            parts.Add("high-risk tools " + string.Join(",", gateway.HighRiskTools));
        }

        if (gateway.RequireSenderBinding)
        {
            parts.Add("sender-bound");
        }

        if (gateway.UnpricedPolicy == UnpricedPolicy.Cap)
        {
            parts.Add($"unpriced {Usd.Format(gateway.UnpricedCapMicroUsd)}/call");
        }

        if (Limits(gateway.CredentialLimits) is var perCredential and not "none")
        {
            parts.Add("per credential " + perCredential);
        }

        if (Limits(gateway.PurposeLimits) is var perPurpose and not "none")
        {
            parts.Add("purpose " + perPurpose);
        }

        return parts.Count == 0 ? "default" : string.Join("; ", parts);
    }

    /// <summary>"3 models" or "none".</summary>
    public static string Prices(IReadOnlyCollection<ModelPrice> prices) => prices.Count switch
    {
        0 => "none",
        1 => "1 model",
        var n => Invariant($"{n} models"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
