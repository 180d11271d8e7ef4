namespace CredentialBroker.Server.Approvals;

/// <summary>The <c>Broker:Approvals</c> section: how long approvals of high-risk tools last.</summary>
public sealed class ApprovalOptions
{
    /// <summary>Lifetime of an approval whose request names none.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Longest lifetime of an approval; longer requests are clamped to it.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromDays(30);
}
