namespace CredentialBroker.Client.Identity;

/// <summary>Supplies the bearer token the workload authenticates to the broker with.</summary>
internal interface ICallerTokenSource
{
    string GetToken();
}
