namespace CredentialBroker.Client.Identity;

/// <summary>The workload proves who it is with its TLS client certificate; no bearer token is sent.</summary>
internal sealed class CertificateIdentity : ICallerTokenSource
{
    public string? GetToken() => null;
}
