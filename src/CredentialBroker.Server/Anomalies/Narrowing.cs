using CredentialBroker.Server.Gateway;

namespace CredentialBroker.Server.Anomalies;

/// <summary>The lowered limits a "narrow" action sets on a credential.</summary>
internal static class Narrowing
{
    /// <summary>
    /// Divides the limits in force (the purpose's per-credential limits, lowered by any earlier
    /// narrowing) by <paramref name="factor"/>; where none is in force, the observed rate is divided
    /// instead, so an unlimited key gets a limit below what it was doing. Never below 1 request and
    /// 1,000 tokens per minute.
    /// </summary>
    public static Limits Narrow(Limits purpose, Limits? current, double observedRequestsPerMinute, double observedTokensPerMinute, double factor)
    {
        var inForce = CredentialLimits.Effective(purpose, current);
        var requests = inForce.RequestsPerMinute > 0 ? inForce.RequestsPerMinute : observedRequestsPerMinute;
        var tokens = inForce.TokensPerMinute > 0 ? inForce.TokensPerMinute : observedTokensPerMinute;
        return new Limits
        {
            RequestsPerMinute = Math.Max(1, (long)Math.Floor(requests / factor)),
            TokensPerMinute = Math.Max(1_000, (long)Math.Floor(tokens / factor)),
        };
    }
}
