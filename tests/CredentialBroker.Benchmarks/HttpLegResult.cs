namespace CredentialBroker.Benchmarks;

/// <summary>
/// What one measured HTTP load run saw. Latencies are in milliseconds; <see cref="Non2xx"/> counts
/// responses outside 200-299, <see cref="Errors"/> requests that got no response (socket errors, timeouts).
/// </summary>
internal sealed record HttpLegResult(double Seconds, long Requests, long Non2xx, long Errors, string? FirstError, double P50, double P99)
{
    /// <summary>Responses per second in the measured window.</summary>
    public double Throughput => Seconds > 0 ? Requests / Seconds : 0;

    /// <summary>Whether the leg measured something and every response was a 2xx.</summary>
    public bool Clean => Requests > 0 && Non2xx == 0 && Errors == 0;
}
