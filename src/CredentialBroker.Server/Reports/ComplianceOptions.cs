namespace CredentialBroker.Server.Reports;

/// <summary>Thresholds of the compliance report (<c>Broker:Compliance</c>).</summary>
public sealed class ComplianceOptions
{
    /// <summary>Longest lifetime with renewals (max expiry − issue time) a live sandbox credential may have (OWASP NHI-7).</summary>
    public TimeSpan MaxLifetimeSandbox { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Longest lifetime with renewals a live internal credential may have.</summary>
    public TimeSpan MaxLifetimeInternal { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Longest lifetime with renewals a live customer-facing credential may have.</summary>
    public TimeSpan MaxLifetimeCustomerFacing { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Longest time from an owner's deactivation to the revocation of its credentials (OWASP NHI-1).</summary>
    public TimeSpan OffboardingMaxDelay { get; set; } = TimeSpan.FromSeconds(1);
}
