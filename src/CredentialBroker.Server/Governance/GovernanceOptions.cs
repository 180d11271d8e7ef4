namespace CredentialBroker.Server.Governance;

/// <summary>The <c>Broker:Governance</c> section: offboarding (ownerless sweep, owner directory sync) and stale credentials.</summary>
public sealed class GovernanceOptions
{
    /// <summary>How often the ownerless sweep revokes credentials left active under a deactivated owner, a retired purpose or a deregistered workload.</summary>
    public TimeSpan OwnerlessSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Owner directory export (CSV with header name,email[,external_id], or a JSON array) synced every DirectorySyncInterval. Unset: no periodic sync.</summary>
    public string? DirectoryFile { get; set; }

    /// <summary>Format of DirectoryFile: Auto (by extension .csv/.json, else by content), Csv or Json.</summary>
    public DirectoryFormat DirectoryFormat { get; set; } = DirectoryFormat.Auto;

    /// <summary>How often DirectoryFile is synced.</summary>
    public TimeSpan DirectorySyncInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a directory-managed owner may be missing from the directory before it is deactivated (and its credentials revoked).</summary>
    public TimeSpan OffboardingGrace { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How often the stale-credential job runs.</summary>
    public TimeSpan StaleSweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Sandbox-tier credentials unused (since last use, or issue when never used) this long are revoked. 00:00:00 disables the tier.</summary>
    public TimeSpan StaleAfterSandbox { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Internal-tier credentials unused this long are revoked. 00:00:00 disables the tier.</summary>
    public TimeSpan StaleAfterInternal { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Customer-facing-tier credentials unused this long are revoked. 00:00:00 disables the tier.</summary>
    public TimeSpan StaleAfterCustomerFacing { get; set; } = TimeSpan.FromDays(14);
}
