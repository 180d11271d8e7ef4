namespace CredentialBroker.Server.Gateway;

/// <summary>The per-credential limits the gateway enforces: the purpose's, lowered by a credential's narrowed limits.</summary>
internal static class CredentialLimits
{
    /// <summary>
    /// The lower of each rate (zero meaning unlimited on either side), with the purpose's budgets.
    /// Narrowing only ever lowers a limit; it never lifts one the purpose sets.
    /// </summary>
    public static Limits Effective(Limits purpose, Limits? narrowed)
    {
        if (narrowed is null || narrowed.IsEmpty)
        {
            return purpose;
        }

        return purpose with
        {
            RequestsPerMinute = Lowest(purpose.RequestsPerMinute, narrowed.RequestsPerMinute),
            TokensPerMinute = Lowest(purpose.TokensPerMinute, narrowed.TokensPerMinute),
        };
    }

    private static long Lowest(long a, long b) => a == 0 ? b : b == 0 ? a : Math.Min(a, b);
}
