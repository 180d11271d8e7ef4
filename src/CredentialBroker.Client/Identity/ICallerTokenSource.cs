namespace CredentialBroker.Client.Identity;

/// <summary>Supplies the bearer token the workload authenticates to the broker with.</summary>
internal interface ICallerTokenSource
{
    /// <summary>The bearer token, or null when the workload authenticates with its client certificate.</summary>
    string? GetToken();
}
