using System.Collections.Concurrent;
using CredentialBroker.Server.Governance;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CredentialBroker.Benchmarks;

/// <summary>One run of the expiry job: when it started, how long it took, how many credentials it expired.</summary>
internal sealed record ExpiryJobRun(DateTimeOffset Started, TimeSpan Duration, int? Expired, bool Failed)
{
    public DateTimeOffset Ended => Started + Duration;
}

/// <summary>
/// Watches the broker's real Quartz expiry job from outside (a job listener on its scheduler): which runs
/// happened, and whether one is executing right now.
/// </summary>
internal sealed class ExpiryJobWatch : IJobListener
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ExpiryJobRun> _runs = new();
    private IScheduler? _scheduler;

    public string Name => "benchmark-expiry-watch";

    /// <summary>True while an expiry job run is executing.</summary>
    public bool Running => !_started.IsEmpty;

    public IReadOnlyList<ExpiryJobRun> Runs => [.. _runs];

    public static async Task<ExpiryJobWatch> AttachAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var watch = new ExpiryJobWatch();
        watch._scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler(cancellationToken);
        watch._scheduler.ListenerManager.AddJobListener(watch, NameMatcher<JobKey>.NameEquals(ExpiryJob.Name));
        return watch;
    }

    public void Detach() => _scheduler?.ListenerManager.RemoveJobListener(Name);

    /// <summary>Seconds during which a run was executing, within [from, to].</summary>
    public double RunningSeconds(DateTimeOffset from, DateTimeOffset to) =>
        Runs.Sum(r => Math.Max(0, ((r.Ended < to ? r.Ended : to) - (r.Started > from ? r.Started : from)).TotalSeconds));

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        _started[context.FireInstanceId] = DateTimeOffset.UtcNow;
        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        _started.TryRemove(context.FireInstanceId, out _);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        if (_started.TryRemove(context.FireInstanceId, out var started))
        {
            _runs.Enqueue(new ExpiryJobRun(started, DateTimeOffset.UtcNow - started, context.Result as int?, jobException is not null));
        }

        return ValueTask.CompletedTask;
    }
}
