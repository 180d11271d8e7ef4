using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary>
/// Rate limits and budgets as written in a file (an owner's limits file, or a purpose file's
/// <c>gateway.credential_limits</c> and <c>gateway.purpose_limits</c>). Omitted values are unlimited.
/// </summary>
public sealed class LimitsFile
{
    public long? RequestsPerMinute { get; set; }

    public long? TokensPerMinute { get; set; }

    public List<BudgetFile>? Budgets { get; set; }

    /// <summary>Reads a limits file; an empty file means no limits.</summary>
    public static Limits Load(string path) => (YamlFile.Read<LimitsFile>(path) ?? new LimitsFile()).ToProto(path + ":");

    /// <summary>Maps to proto limits; <paramref name="what"/> locates them in errors.</summary>
    public Limits ToProto(string what)
    {
        var limits = new Limits
        {
            RequestsPerMinute = RequestsPerMinute ?? 0,
            TokensPerMinute = TokensPerMinute ?? 0,
        };
        var budgets = Budgets ?? [];
        for (var i = 0; i < budgets.Count; i++)
        {
            var where = YamlFile.Key(what, $"budgets[{i}]");
            var budget = budgets[i] ?? throw new UsageException($"{where}: empty budget");
            limits.Budgets.Add(budget.ToProto(where));
        }

        return limits;
    }
}
