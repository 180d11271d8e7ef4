using CredentialBroker.Server.Gateway;
using Npgsql;
using NpgsqlTypes;

namespace CredentialBroker.Server.Budgets;

/// <summary>One budget counter a call must fit into.</summary>
internal sealed record BudgetCounter(string Scope, Guid ScopeId, BudgetLimit Limit, DateTimeOffset WindowStart)
{
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

        return $"the {Scope}'s {window} budget of {string.Join(" / ", ceilings)}";
    }
}

/// <summary>The outcome of a reservation: held, or which counter had no room and what it already held.</summary>
internal sealed record BudgetDecision(bool Reserved, BudgetCounter? Failed, long UsedMicroUsd, long UsedTokens);

/// <summary>
/// Reserves a call's worst case on all its budget counters at once, in PostgreSQL
/// (<c>budget_reserve</c> in migrations/0003), so budgets hold across replicas and concurrent calls
/// never overshoot. Settlement happens in <see cref="UsageRecorder"/>'s batches (<c>budget_settle</c>).
/// </summary>
internal sealed class BudgetLedger(BudgetLedger.ReservationDataSource reservations)
{
    /// <summary>
    /// Connections for reservations only, with <c>synchronous_commit = off</c>: a reservation's row
    /// locks are released as soon as it commits instead of after the WAL flush, so calls on the same
    /// budget are not serialized behind disk flushes. A reservation lost in a PostgreSQL crash only
    /// under-counts calls that were in flight at that moment; settlement (spend) stays durable.
    /// </summary>
    internal sealed class ReservationDataSource(NpgsqlDataSource dataSource) : IDisposable
    {
        public NpgsqlDataSource DataSource { get; } = dataSource;

        public void Dispose() => DataSource.Dispose();
    }

    public async Task<BudgetDecision> ReserveAsync(
        Guid reservationId, Guid credentialId, IReadOnlyList<BudgetCounter> counters, long microUsd, long tokens, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = reservations.DataSource.CreateCommand("SELECT failed, used_micro_usd, used_tokens FROM budget_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
        command.Parameters.Add(new() { Value = reservationId });
        command.Parameters.Add(new() { Value = credentialId });
        command.Parameters.Add(new() { Value = counters.Select(c => c.Scope).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => c.ScopeId).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => BudgetWindows.ToDb(c.Limit.Window)).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => c.WindowStart).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = counters.Select(c => c.Limit.MaxMicroUsd).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => c.Limit.MaxTokens).ToArray() });
        command.Parameters.Add(new() { Value = counters.Select(c => c.Limit.AlertPercent).ToArray() });
        command.Parameters.Add(new() { Value = microUsd });
        command.Parameters.Add(new() { Value = tokens });
        command.Parameters.Add(new() { Value = now });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var failed = reader.GetInt32(0);
        return failed == 0
            ? new BudgetDecision(true, null, 0, 0)
            : new BudgetDecision(false, counters[failed - 1], reader.GetInt64(1), reader.GetInt64(2));
    }
}
