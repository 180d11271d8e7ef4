namespace CredentialBroker.Server.Budgets;

/// <summary>How long usage data is kept (<c>Broker:Usage</c>). Raw events are kept in monthly partitions, roll-ups per hour.</summary>
public sealed class UsageOptions
{
    /// <summary>
    /// Raw usage events (one per call, with caller identity and outcome) older than this are dropped
    /// by whole monthly partitions: a month goes once its last day is this old.
    /// </summary>
    public TimeSpan RawRetention { get; set; } = TimeSpan.FromDays(180);

    /// <summary>Hourly roll-ups (what GetUsage reads for whole hours) older than this are deleted.</summary>
    public TimeSpan RollupRetention { get; set; } = TimeSpan.FromDays(730);

    /// <summary>Monthly partitions created ahead of the current month, so new rows never wait for one.</summary>
    public int PartitionsAhead { get; set; } = 2;

    /// <summary>How often partitions are created ahead and retention is applied.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromHours(6);
}
