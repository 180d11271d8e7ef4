namespace CredentialBroker.Server.Delivery;

/// <summary>Direct delivery: deleting upstream keys of credentials that stopped working, and finding unknown ones.</summary>
public sealed class DeliveryOptions
{
    /// <summary>How often the cleanup job looks for upstream keys to delete (single revocations also wake it at once).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed upstream deletions before a credential is marked irrevocable (shown by 'brokerctl creds list --irrevocable').</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100)]
    public int MaxDeleteAttempts { get; set; } = 8;

    /// <summary>Wait after the first failed deletion; it doubles with each further failure.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between two deletion attempts.</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the reconcile job lists the providers' accounts and keys to flag ones the broker does not know.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Longest wait for one call to a provider's Admin API.</summary>
    public TimeSpan AdminApiTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
