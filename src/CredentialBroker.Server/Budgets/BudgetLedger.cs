using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace CredentialBroker.Server.Budgets;

/// <summary>One budget counter a call must fit into.</summary>
internal sealed record BudgetCounter(string Scope, Guid ScopeId, BudgetLimit Limit, DateTimeOffset WindowStart)
{
    /// <summary>Whose budget it is, when the scope alone does not say (an ancestor of a delegated credential).</summary>
    public string? Holder { get; init; }

    /// <summary>"the purpose's daily budget of $10.00" for messages.</summary>
    public string Describe()
    {
        var window = Limit.Window switch { BudgetWindow.Day => "daily", BudgetWindow.Month => "monthly", _ => "lifetime" };
        var ceilings = new List<string>();
        if (Limit.MaxMicroUsd > 0)
        {
            ceilings.Add(Pricing.Usd(Limit.MaxMicroUsd));
        }

        if (Limit.MaxTokens > 0)
        {
            ceilings.Add($"{Limit.MaxTokens:N0} tokens");
        }

        var whose = Holder ?? (Scope == "delegation" ? "delegated credential" : Scope);
        return $"the {whose}'s {window} budget of {string.Join(" / ", ceilings)}";
    }
}

/// <summary>The outcome of a reservation: held, or which counter had no room and what it already held.</summary>
internal sealed record BudgetDecision(bool Reserved, BudgetCounter? Failed, long UsedMicroUsd, long UsedTokens);

/// <summary>
/// Reserves a call's worst case on all its budget counters at once, in PostgreSQL, so budgets hold
/// across replicas and concurrent calls never overshoot. Calls that arrive while a batch is being
/// reserved wait and go together in the next one (<c>budget_reserve_batch</c> in migrations/0003):
/// one round trip and one durable commit for the batch, in arrival order. Settlement happens in
/// <see cref="UsageRecorder"/>'s batches (<c>budget_settle</c>).
/// </summary>
internal sealed partial class BudgetLedger(NpgsqlDataSource dataSource, ILogger<BudgetLedger> logger)
    : GroupCommit<BudgetLedger.Reservation, BudgetDecision>(MaxBatch)
{
    private const int MaxBatch = 512;

    protected override string ShuttingDownMessage => "The broker is shutting down; budgets cannot be reserved.";

    /// <summary>Queues the reservation for the next batch; completes when it is committed (or refused).</summary>
    public Task<BudgetDecision> ReserveAsync(Guid reservationId, Guid credentialId, IReadOnlyList<BudgetCounter> counters, long microUsd, long tokens, DateTimeOffset now) =>
        EnqueueAsync(new Reservation(reservationId, credentialId, counters, microUsd, tokens, now));

    protected override Task<BudgetDecision[]> CommitAsync(IReadOnlyList<Reservation> batch) => ReserveBatchAsync(batch);

    protected override void BatchFailed(int count, Exception exception) => LogBatchFailed(logger, count, exception);

    private async Task<BudgetDecision[]> ReserveBatchAsync(IReadOnlyList<Reservation> batch)
    {
        // Each distinct counter once; calls refer to counters by 1-based index.
        var index = new Dictionary<(string, Guid, BudgetWindow, DateTimeOffset), int>();
        var counters = new List<BudgetCounter>();
        var offsets = new int[batch.Count + 1];
        var list = new List<int>();
        for (var i = 0; i < batch.Count; i++)
        {
            offsets[i] = list.Count + 1;
            foreach (var c in batch[i].Counters)
            {
                var key = (c.Scope, c.ScopeId, c.Limit.Window, c.WindowStart);
                if (!index.TryGetValue(key, out var at))
                {
                    counters.Add(c);
                    at = index[key] = counters.Count;
                }

                list.Add(at);
            }
        }

        offsets[batch.Count] = list.Count + 1;
        await using var command = dataSource.CreateCommand(
            "SELECT call_index, failed, used_micro_usd, used_tokens FROM budget_reserve_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)");
        command.Parameters.Add(new() { Value = counters.Select(c => c.Scope).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => c.ScopeId).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => BudgetWindows.ToDb(c.Limit.Window)).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => c.WindowStart).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = counters.Select(c => c.Limit.MaxMicroUsd).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => c.Limit.MaxTokens).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => c.Limit.AlertPercent).ToArray() });
        command.Parameters.Add(new() { Value = batch.Select(p => p.Id).ToArray() });
        command.Parameters.Add(new() { Value = batch.Select(p => p.CredentialId).ToArray() });
        command.Parameters.Add(new() { Value = batch.Select(p => p.MicroUsd).ToArray() });
        command.Parameters.Add(new() { Value = batch.Select(p => p.Tokens).ToArray() });
        command.Parameters.Add(new() { Value = offsets });
        command.Parameters.Add(new() { Value = list.ToArray() });
        command.Parameters.Add(new() { Value = batch.Max(p => p.Now) });
        var decisions = new BudgetDecision[batch.Count];
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var i = reader.GetInt32(0) - 1;
            var failed = reader.GetInt32(1);
            decisions[i] = failed == 0
                ? new BudgetDecision(true, null, 0, 0)
                : new BudgetDecision(false, counters[failed - 1], reader.GetInt64(2), reader.GetInt64(3));
        }

        return decisions;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Budgets: reserving a batch of {Count} calls failed; they are refused.")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    internal sealed record Reservation(Guid Id, Guid CredentialId, IReadOnlyList<BudgetCounter> Counters, long MicroUsd, long Tokens, DateTimeOffset Now);
}
