using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Gateway;
using Npgsql;
using Purpose = CredentialBroker.Server.Policy.Purpose;

namespace CredentialBroker.Server.Credentials;

/// <summary>
/// A child's budgets are carved out of its parent's: each must fit what is left (spent + reserved)
/// of every same-window budget of the parent and of each ancestor.
/// </summary>
internal sealed class DelegationBudgets(NpgsqlDataSource dataSource, TimeZoneInfo zone)
{
    /// <summary>Each child budget must fit what is left of every same-window budget of the parent and its ancestors.</summary>
    public async Task<string?> ProblemAsync(Credential parent, IReadOnlyList<ChainLink> chain, Purpose purpose, IReadOnlyList<BudgetLimit> budgets, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var (budget, index) in budgets.Select((b, i) => (b, i)))
        {
            var start = BudgetWindows.Start(budget.Window, now, zone);
            foreach (var link in chain)
            {
                var limits = purpose.Gateway.CredentialLimits.Budgets.Select(b => ("credential", b))
                    .Concat(link.Limits.Budgets.Select(b => ("delegation", b)))
                    .Where(x => x.b.Window == budget.Window);
                foreach (var (scope, limit) in limits)
                {
                    var (usedUsd, usedTokens) = await UsedAsync(scope, link.Id, limit, start, ct);
                    var whose = link.Id == parent.Id ? $"parent {link.Prefix}" : $"ancestor {link.Prefix}";
                    var window = BudgetWindows.ToDb(budget.Window);
                    if (limit.MaxMicroUsd > 0 && budget.MaxMicroUsd > limit.MaxMicroUsd - usedUsd)
                    {
                        return $"budgets[{index}]: {Pricing.Usd(budget.MaxMicroUsd)} per {window} is more than is left of the {whose}'s {window} budget " +
                            $"({Pricing.Usd(Math.Max(0, limit.MaxMicroUsd - usedUsd))} of {Pricing.Usd(limit.MaxMicroUsd)}); a child's budget is carved out of its parent's.";
                    }

                    if (limit.MaxTokens > 0 && budget.MaxTokens > limit.MaxTokens - usedTokens)
                    {
                        return $"budgets[{index}]: {budget.MaxTokens:N0} tokens per {window} is more than is left of the {whose}'s {window} budget " +
                            $"({Math.Max(0, limit.MaxTokens - usedTokens):N0} of {limit.MaxTokens:N0} tokens); a child's budget is carved out of its parent's.";
                    }
                }
            }
        }

        return null;
    }

    private async Task<(long MicroUsd, long Tokens)> UsedAsync(string scope, Guid id, BudgetLimit limit, DateTimeOffset start, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT spent_micro_usd + reserved_micro_usd, spent_tokens + reserved_tokens FROM budget_counters WHERE scope = $1 AND scope_id = $2 AND time_window = $3 AND window_start = $4");
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = BudgetWindows.ToDb(limit.Window) });
        command.Parameters.Add(new() { Value = start });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }
}
