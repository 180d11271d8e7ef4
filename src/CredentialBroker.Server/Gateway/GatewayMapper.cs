using CredentialBroker.Server.Grpc;

namespace CredentialBroker.Server.Gateway;

/// <summary>Wire ↔ domain for gateway policies, limits and prices, with the checks that make them sane.</summary>
internal static class GatewayMapper
{
    /// <summary>Longest call chain any purpose may allow.</summary>
    public const int MaxCallDepthCeiling = 16;

    public static V1.GatewayPolicy ToProto(GatewayPolicy p) => new()
    {
        AllowedEndpoints = { p.AllowedEndpoints },
        MaxOutputTokens = p.MaxOutputTokens,
        MaxCallDepth = p.MaxCallDepth,
        RequireSenderBinding = p.RequireSenderBinding,
        UnpricedPolicy = p.Unpriced == UnpricedPolicy.Cap ? V1.UnpricedPolicy.Cap : V1.UnpricedPolicy.Refuse,
        UnpricedCapMicroUsd = p.UnpricedCapMicroUsd,
        CredentialLimits = ToProto(p.CredentialLimits),
        PurposeLimits = ToProto(p.PurposeLimits),
        HighRiskTools = { p.HighRiskTools },
        MaxDelegationDepth = p.MaxDelegationDepth,
    };

    public static V1.Limits ToProto(Limits l) => new()
    {
        RequestsPerMinute = l.RequestsPerMinute,
        TokensPerMinute = l.TokensPerMinute,
        Budgets = { l.Budgets.Select(b => new V1.Budget { Window = ToProto(b.Window), MaxMicroUsd = b.MaxMicroUsd, MaxTokens = b.MaxTokens, AlertPercent = b.AlertPercent }) },
    };

    public static V1.ModelPrice ToProto(ModelPrice p) => new()
    {
        Model = p.Model,
        InputMicroUsdPerMillion = p.InputMicroUsdPerMillion,
        CachedInputMicroUsdPerMillion = p.CachedInputMicroUsdPerMillion,
        OutputMicroUsdPerMillion = p.OutputMicroUsdPerMillion,
        MaxOutputTokens = p.MaxOutputTokens,
    };

    public static V1.BudgetWindow ToProto(BudgetWindow w) => w switch
    {
        BudgetWindow.Day => V1.BudgetWindow.Day,
        BudgetWindow.Month => V1.BudgetWindow.Month,
        _ => V1.BudgetWindow.Lifetime,
    };

    public static BudgetWindow? FromProto(V1.BudgetWindow w) => w switch
    {
        V1.BudgetWindow.Day => BudgetWindow.Day,
        V1.BudgetWindow.Month => BudgetWindow.Month,
        V1.BudgetWindow.Lifetime => BudgetWindow.Lifetime,
        _ => null,
    };

    public static GatewayPolicy Policy(RequestValidator v, string field, V1.GatewayPolicy? proto)
    {
        if (proto is null)
        {
            return GatewayPolicy.Default;
        }

        var endpoints = new List<string>();
        for (var i = 0; i < proto.AllowedEndpoints.Count; i++)
        {
            var name = proto.AllowedEndpoints[i].Trim();
            if (!GatewayEndpoints.TryParseName(name, out _))
            {
                v.Add($"{field}.allowed_endpoints[{i}]", $"'{RequestValidator.Clip(name)}' is not a gateway endpoint; use {string.Join(", ", GatewayEndpoints.Names)}");
            }
            else if (!endpoints.Contains(name))
            {
                endpoints.Add(name);
            }
        }

        if (proto.MaxOutputTokens < 0)
        {
            v.Add($"{field}.max_output_tokens", "must not be negative (0 means the model's own limit)");
        }

        if (proto.MaxCallDepth is < 0 or > MaxCallDepthCeiling)
        {
            v.Add($"{field}.max_call_depth", $"must be between 0 and {MaxCallDepthCeiling}");
        }

        if (proto.MaxDelegationDepth is < 0 or > MaxCallDepthCeiling)
        {
            v.Add($"{field}.max_delegation_depth", $"must be between 0 and {MaxCallDepthCeiling}");
        }

        var unpriced = proto.UnpricedPolicy == V1.UnpricedPolicy.Cap ? UnpricedPolicy.Cap : UnpricedPolicy.Refuse;
        if (unpriced == UnpricedPolicy.Cap && proto.UnpricedCapMicroUsd <= 0)
        {
            v.Add($"{field}.unpriced_cap_micro_usd", "must be greater than 0 with UNPRICED_POLICY_CAP: it is what each unpriced call is charged");
        }
        else if (proto.UnpricedCapMicroUsd < 0)
        {
            v.Add($"{field}.unpriced_cap_micro_usd", "must not be negative");
        }

        return new GatewayPolicy
        {
            AllowedEndpoints = endpoints,
            MaxOutputTokens = proto.MaxOutputTokens,
            MaxCallDepth = proto.MaxCallDepth,
            RequireSenderBinding = proto.RequireSenderBinding,
            Unpriced = unpriced,
            UnpricedCapMicroUsd = unpriced == UnpricedPolicy.Cap ? proto.UnpricedCapMicroUsd : 0,
            CredentialLimits = Limits(v, $"{field}.credential_limits", proto.CredentialLimits),
            PurposeLimits = Limits(v, $"{field}.purpose_limits", proto.PurposeLimits),
            HighRiskTools = Server.Policy.ToolPatterns.Validate(v, $"{field}.high_risk_tools", proto.HighRiskTools),
            MaxDelegationDepth = proto.MaxDelegationDepth,
        };
    }

    public static Limits Limits(RequestValidator v, string field, V1.Limits? proto)
    {
        if (proto is null)
        {
            return Gateway.Limits.None;
        }

        if (proto.RequestsPerMinute < 0)
        {
            v.Add($"{field}.requests_per_minute", "must not be negative (0 means unlimited)");
        }

        if (proto.TokensPerMinute < 0)
        {
            v.Add($"{field}.tokens_per_minute", "must not be negative (0 means unlimited)");
        }

        return new Limits { RequestsPerMinute = proto.RequestsPerMinute, TokensPerMinute = proto.TokensPerMinute, Budgets = Budgets(v, $"{field}.budgets", proto.Budgets) };
    }

    /// <summary>Checks a list of budgets (one per window, each with a ceiling); <paramref name="field"/> names the list.</summary>
    public static List<BudgetLimit> Budgets(RequestValidator v, string field, IList<V1.Budget> proto)
    {
        var budgets = new List<BudgetLimit>();
        for (var i = 0; i < proto.Count; i++)
        {
            var b = proto[i];
            var at = $"{field}[{i}]";
            var window = FromProto(b.Window);
            if (window is null)
            {
                v.Add($"{at}.window", "is required: BUDGET_WINDOW_DAY, BUDGET_WINDOW_MONTH or BUDGET_WINDOW_LIFETIME");
                continue;
            }

            if (budgets.Any(x => x.Window == window))
            {
                v.Add($"{at}.window", $"{window.Value.ToString().ToLowerInvariant()} appears twice; give one budget per window");
            }

            if (b.MaxMicroUsd < 0 || b.MaxTokens < 0)
            {
                v.Add(at, "max_micro_usd and max_tokens must not be negative");
            }
            else if (b.MaxMicroUsd == 0 && b.MaxTokens == 0)
            {
                v.Add(at, "sets no ceiling; give max_micro_usd, max_tokens or both");
            }

            if (b.AlertPercent is < 0 or > 100)
            {
                v.Add($"{at}.alert_percent", "must be between 0 and 100");
            }

            budgets.Add(new BudgetLimit(window.Value, b.MaxMicroUsd, b.MaxTokens, b.AlertPercent));
        }

        return budgets;
    }

    public static List<ModelPrice> Prices(RequestValidator v, string field, IList<V1.ModelPrice> proto)
    {
        var prices = new List<ModelPrice>();
        for (var i = 0; i < proto.Count; i++)
        {
            var p = proto[i];
            var at = $"{field}[{i}]";
            var model = p.Model.Trim();
            if (model.Length is 0 or > 128 || (model.IndexOf('*') is >= 0 and var star && star != model.Length - 1))
            {
                v.Add($"{at}.model", "must be a model name of 1-128 characters, optionally ending in '*' for a prefix");
            }
            else if (prices.Any(x => x.Model == model))
            {
                v.Add($"{at}.model", $"'{model}' is priced twice");
            }

            if (p.InputMicroUsdPerMillion < 0 || p.CachedInputMicroUsdPerMillion < 0 || p.OutputMicroUsdPerMillion < 0)
            {
                v.Add(at, "prices must not be negative");
            }

            if (p.MaxOutputTokens <= 0)
            {
                v.Add($"{at}.max_output_tokens", "is required: the model's own output limit (e.g. 16384)");
            }

            prices.Add(new ModelPrice(model, p.InputMicroUsdPerMillion, p.CachedInputMicroUsdPerMillion, p.OutputMicroUsdPerMillion, p.MaxOutputTokens));
        }

        return prices;
    }
}
