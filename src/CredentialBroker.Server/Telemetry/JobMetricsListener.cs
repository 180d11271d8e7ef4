using System.Collections.Concurrent;
using System.Diagnostics;
using Quartz;

namespace CredentialBroker.Server.Telemetry;

/// <summary>Records every Quartz job run (on the replica that ran it) in <c>broker.jobs.duration</c> and <c>broker.jobs.failures</c>.</summary>
internal sealed class JobMetricsListener(BrokerMetrics metrics) : IJobListener
{
    // Quartz sets JobRunTime only after the listeners have been told, so runs are timed here, by fire instance.
    private readonly ConcurrentDictionary<string, long> _started = new(StringComparer.Ordinal);

    public string Name => "broker-metrics";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        _started[context.FireInstanceId] = Stopwatch.GetTimestamp();
        metrics.JobStarted(context.JobDetail.Key.Name);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        _started.TryRemove(context.FireInstanceId, out _);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        var runTime = _started.TryRemove(context.FireInstanceId, out var started) ? Stopwatch.GetElapsedTime(started) : context.JobRunTime;
        metrics.JobFinished(context.JobDetail.Key.Name, runTime, jobException is not null);
        return ValueTask.CompletedTask;
    }
}
