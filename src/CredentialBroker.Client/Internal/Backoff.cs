namespace CredentialBroker.Client.Internal;

/// <summary>Exponential backoff with full jitter: many clients failing together spread their retries out.</summary>
internal static class Backoff
{
    public static TimeSpan FullJitter(int attempt, TimeSpan baseDelay, TimeSpan cap, Random random)
    {
        var exponent = Math.Min(attempt, 30);
        var ceiling = Math.Min(cap.Ticks, baseDelay.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(random.NextDouble() * ceiling));
    }
}
