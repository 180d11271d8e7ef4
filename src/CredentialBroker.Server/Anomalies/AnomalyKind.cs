namespace CredentialBroker.Server.Anomalies;

/// <summary>What a detector saw.</summary>
public enum AnomalyKind
{
    /// <summary>A rate (requests, tokens, cost, errors, new models) far above the credential's own baseline.</summary>
    Spike,

    /// <summary>A rate above the absolute ceiling of the purpose's risk tier.</summary>
    Ceiling,

    /// <summary>The key was presented by a caller identity other than the workload it was issued to (sharing or leak, OWASP NHI-9).</summary>
    IdentityMismatch,

    /// <summary>The same prompt sent over and over: a runaway loop.</summary>
    Loop,

    /// <summary>Too many calls in flight at once on one key.</summary>
    FanOut,
}
