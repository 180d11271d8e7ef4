namespace CredentialBroker.Benchmarks;

/// <summary>What one phase measured. Latencies are of successful calls inside the measured window, in milliseconds.</summary>
internal sealed record PhaseResult(
    string Name,
    string Description,
    int Callers,
    double WarmupSeconds,
    double MeasuredSeconds,
    long Completed,
    long Succeeded,
    long Errors,
    string? FirstError,
    double P50,
    double P90,
    double P99,
    double Max,
    ResourceUsage Usage)
{
    /// <summary>Successful operations per second in the measured window.</summary>
    public double Throughput => MeasuredSeconds > 0 ? Completed / MeasuredSeconds : 0;

    /// <summary>Per completed operation in the window; null when nothing completed or the counter is unknown.</summary>
    public double? PerOperation(double? total) => Completed > 0 && total is { } t ? t / Completed : null;
}
