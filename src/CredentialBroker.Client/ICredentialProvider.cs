using Microsoft.Extensions.Primitives;

namespace CredentialBroker.Client;

/// <summary>The workload's current broker credential, kept valid in the background.</summary>
public interface ICredentialProvider
{
    /// <summary>The current credential; <see langword="null"/> only before the host has started.</summary>
    BrokerCredential? CurrentCredential { get; }

    /// <summary>Raised when the key changes (a new credential was issued). Not raised for renewals of the same key.</summary>
    event EventHandler<BrokerCredential>? CredentialChanged;

    /// <summary>A token that fires the next time the key changes.</summary>
    IChangeToken GetChangeToken();

    /// <summary>
    /// Issues a new credential now (e.g. after the gateway refused the current one). Concurrent callers share one issue.
    /// </summary>
    Task<BrokerCredential> RefreshAsync(CancellationToken cancellationToken = default);
}
