using System.Collections.Concurrent;
using System.Threading.Channels;
using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// The gateway's cheap real-time checks — a key presented by another identity, too many calls in
/// flight on one key — which must never slow a call: they count in memory and queue findings to a
/// background writer (<see cref="AnomalyResponder"/>). A finding already queued for the same
/// credential and kind in the last minute is not queued again (the database dedupes the rest).
/// The in-flight count is this replica's; the job also sees fan-out across replicas from usage events.
/// </summary>
internal sealed class RealtimeChecks(AnomalyResponder responder, IOptions<BrokerOptions> options, TimeProvider time, ILogger<RealtimeChecks> logger) : BackgroundService
{
    private static readonly TimeSpan _requeueAfter = TimeSpan.FromMinutes(1);
    private readonly Channel<AnomalyFinding> _queue = Channel.CreateBounded<AnomalyFinding>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<Guid, StrongBox> _inFlight = new();
    private readonly ConcurrentDictionary<(Guid, AnomalyKind), long> _queued = new();
    private readonly AnomalyOptions _options = options.Value.Anomalies;
    private long _pending;

    /// <summary>Findings queued and not yet written (tests).</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>The caller presented <paramref name="presented"/> with a key issued to <paramref name="workloadIdentity"/>.</summary>
    public void IdentityPresented(Guid credentialId, string workloadIdentity, string? presented)
    {
        if (_options.Enabled && IdentityDetector.Check(credentialId, workloadIdentity, presented) is { } finding)
        {
            Report(finding);
        }
    }

    /// <summary>A call on the credential starts; dispose the result when it ends.</summary>
    public InFlight CallStarted(Guid credentialId)
    {
        var box = _inFlight.GetOrAdd(credentialId, static _ => new StrongBox());
        var count = Interlocked.Increment(ref box.Value);
        if (_options.Enabled && FanOutDetector.Check(credentialId, count, _options.FanOutLimit) is { } finding)
        {
            Report(finding);
        }

        return new InFlight(this, credentialId, box);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var finding in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await responder.RespondAsync(finding, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                AnomalyLog.RecordFailed(logger, AnomalyNames.Of(finding.Kind), finding.CredentialId, ex);
                _queued.TryRemove((finding.CredentialId, finding.Kind), out _);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private void Report(AnomalyFinding finding)
    {
        var now = time.GetTimestamp();
        var key = (finding.CredentialId, finding.Kind);
        if (_queued.TryGetValue(key, out var last) && time.GetElapsedTime(last, now) < _requeueAfter)
        {
            return;
        }

        _queued[key] = now;
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(finding))
        {
            Interlocked.Decrement(ref _pending);
            AnomalyLog.QueueFull(logger, AnomalyNames.Of(finding.Kind), finding.CredentialId);
        }

        if (_queued.Count > 100_000)
        {
            _queued.Clear();
        }
    }

    private void Ended(Guid credentialId, StrongBox box)
    {
        // A box removed while another call just took it only undercounts that call: a heuristic, not a limit.
        if (Interlocked.Decrement(ref box.Value) == 0)
        {
            _inFlight.TryRemove(new KeyValuePair<Guid, StrongBox>(credentialId, box));
        }
    }

    /// <summary>A call in flight; disposing it ends it.</summary>
    public readonly struct InFlight(RealtimeChecks owner, Guid credentialId, StrongBox box) : IDisposable
    {
        public void Dispose() => owner?.Ended(credentialId, box);
    }

    /// <summary>A mutable counter shared by the calls of one credential.</summary>
    internal sealed class StrongBox
    {
        public int Value;
    }
}
