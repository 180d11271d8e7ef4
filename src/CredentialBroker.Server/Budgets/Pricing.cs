using CredentialBroker.Server.Gateway;

namespace CredentialBroker.Server.Budgets;

/// <summary>Money arithmetic for calls: prices are micro-USD per million tokens; costs round up to whole micro-USD.</summary>
internal static class Pricing
{
    /// <summary>The price that applies to <paramref name="model"/>: an exact entry, else the longest matching prefix ("gpt-4o*").</summary>
    public static ModelPrice? Find(IReadOnlyList<ModelPrice> prices, string model)
    {
        ModelPrice? best = null;
        foreach (var price in prices)
        {
            if (price.Model == model)
            {
                return price;
            }

            if (price.Model.EndsWith('*') && model.StartsWith(price.Model[..^1], StringComparison.Ordinal)
                && (best is null || price.Model.Length > best.Model.Length))
            {
                best = price;
            }
        }

        return best;
    }

    /// <summary>Cost of a call in micro-USD, rounded up.</summary>
    public static long Cost(ModelPrice price, long inputTokens, long cachedInputTokens, long outputTokens)
    {
        var cached = Math.Clamp(cachedInputTokens, 0, inputTokens);
        var cachedRate = price.CachedInputMicroUsdPerMillion > 0 ? price.CachedInputMicroUsdPerMillion : price.InputMicroUsdPerMillion;
        var total = ((Int128)(inputTokens - cached) * price.InputMicroUsdPerMillion)
            + ((Int128)cached * cachedRate)
            + ((Int128)outputTokens * price.OutputMicroUsdPerMillion);
        var micro = (total + 999_999) / 1_000_000;
        return micro > long.MaxValue ? long.MaxValue : (long)micro;
    }

    /// <summary>"$1.234567" for messages.</summary>
    public static string Usd(long microUsd) => "$" + (microUsd / 1_000_000m).ToString("0.00####", System.Globalization.CultureInfo.InvariantCulture);
}
