using System.ComponentModel.DataAnnotations;

namespace CredentialBroker.Server.Gateway;

/// <summary>The <c>Broker:Gateway</c> configuration section.</summary>
public sealed class GatewayOptions
{
    /// <summary>Largest request body the gateway accepts (bytes); larger ones get 413.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Longest silence from the upstream before a call is abandoned (a stream may run longer while it keeps sending).</summary>
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>IANA or Windows time zone whose midnight starts the day and month budget windows.</summary>
    [Required]
    public string BudgetTimeZone { get; set; } = "UTC";

    /// <summary>How long a looked-up key, purpose, owner or provider is reused; changes announced through LISTEN/NOTIFY evict sooner.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most keys kept in the cache.</summary>
    [Range(100, 10_000_000)]
    public int CacheSize { get; set; } = 100_000;

    /// <summary>Longest a metered call waits before its usage event is written.</summary>
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Most usage events written in one transaction.</summary>
    [Range(1, 100_000)]
    public int UsageBatchSize { get; set; } = 1000;

    /// <summary>Non-streaming responses longer than this are passed through but not parsed for usage; the call is charged its reservation.</summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public int MaxMeteredResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Output cap for a model with no price entry (its own limit is unknown) when the purpose sets none.</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>A reservation not settled after this long (its replica died mid-call) is charged in full and released.</summary>
    public TimeSpan AbandonedReservationAfter { get; set; } = TimeSpan.FromHours(1);
}
