namespace CredentialBroker.Benchmarks;

/// <summary>
/// What the usage scenario measured: seeding a month of events through the roll-up trigger,
/// GetUsage per scope against the raw scan of the same rows, and the trigger's cost to the usage writer.
/// </summary>
/// <param name="RangeEvents">Events in usage_events inside the month (counted raw); must equal <paramref name="Events"/>.</param>
/// <param name="OwnersTotal">Calls GetUsage reports over the month summed over every seeded owner; must equal <paramref name="Events"/>.</param>
internal sealed record UsageQueryResult(
    long Events,
    int Owners,
    int Purposes,
    int Credentials,
    int Workers,
    int BatchRows,
    double SeedSeconds,
    double? SeedOtherCores,
    double? QueryOtherCores,
    long RangeEvents,
    long OwnersTotal,
    IReadOnlyList<UsageScopeResult> Scopes,
    IReadOnlyList<UsageWriterLeg> Writer)
{
    public bool Match => RangeEvents == Events && OwnersTotal == Events && Scopes.All(s => s.Mismatch is null);

    public string? Mismatch => Match
        ? null
        : string.Join("; ", Scopes.Where(s => s.Mismatch is not null).Select(s => $"{s.Scope}: {s.Mismatch}")
            .Append($"seeded {Events}, counted in the range {RangeEvents}, GetUsage over all owners {OwnersTotal}"));

    /// <summary>The p-quantile (nearest rank) of <paramref name="values"/>.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>One scope kind: several ids, GetUsage and the raw scan timed on each; Mismatch says where the totals differed.</summary>
internal sealed record UsageScopeResult(string Scope, int Ids, long MinEvents, long MaxEvents, IReadOnlyList<double> GetUsageMs, IReadOnlyList<double> RawMs, string? Mismatch)
{
    public double GetUsageP50 => UsageQueryResult.Percentile(GetUsageMs, 0.5);

    public double GetUsageP99 => UsageQueryResult.Percentile(GetUsageMs, 0.99);

    public double RawP50 => UsageQueryResult.Percentile(RawMs, 0.5);
}

/// <summary>The usage writer's batches of one size into a table with the roll-up trigger and into an identical one without.</summary>
internal sealed record UsageWriterLeg(int BatchSize, int Batches, double WithTriggerSeconds, double WithoutTriggerSeconds, double? OtherCores)
{
    public double WithTriggerRate => BatchSize * (double)Batches / WithTriggerSeconds;

    public double WithoutTriggerRate => BatchSize * (double)Batches / WithoutTriggerSeconds;
}
