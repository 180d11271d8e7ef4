using System.Threading.Channels;

namespace CredentialBroker.Server.Persistence;

/// <summary>
/// Group commit: callers queue an item and wait; one writer takes everything queued (up to
/// <paramref name="maxBatch"/>) and commits it with one round trip and one durable commit. Items
/// that arrive while a batch commits go together in the next one, so under load the batches grow
/// by themselves and at low load a batch is a single item (no added wait). A caller's task
/// completes only after its batch has committed (or failed), so nothing is acknowledged before it
/// is durable.
/// </summary>
internal abstract class GroupCommit<TItem, TResult>(int maxBatch) : BackgroundService
{
    // Not SingleReader: that channel cannot count its items, and Backlog is a gauge.
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();

    /// <summary>Items queued for the next batch.</summary>
    public int Backlog => _queue.Reader.Count;

    /// <summary>The message a caller gets when the broker stops before its item was written.</summary>
    protected abstract string ShuttingDownMessage { get; }

    /// <summary>Commits one batch; returns one result per item, in order.</summary>
    protected abstract Task<TResult[]> CommitAsync(IReadOnlyList<TItem> batch);

    /// <summary>Logs a batch that failed as a whole; every caller in it gets the exception.</summary>
    protected abstract void BatchFailed(int count, Exception exception);

    /// <summary>Queues the item for the next batch; completes when that batch is committed (or failed).</summary>
    protected Task<TResult> EnqueueAsync(TItem item)
    {
        var pending = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Done.SetException(new InvalidOperationException(ShuttingDownMessage));
        }

        return pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(maxBatch);
        var items = new List<TItem>(maxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < maxBatch && _queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                    items.Add(pending.Item);
                }

                try
                {
                    var results = await CommitAsync(items);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Done.SetResult(results[i]);
                    }
                }
                catch (Exception ex)
                {
                    BatchFailed(batch.Count, ex);
                    batch.ForEach(p => p.Done.TrySetException(ex));
                }

                batch.Clear();
                items.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
            {
                left.Done.TrySetException(new InvalidOperationException(ShuttingDownMessage));
            }
        }
    }

    private sealed record Pending(TItem Item, TaskCompletionSource<TResult> Done);
}
