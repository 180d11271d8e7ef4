namespace CredentialBroker.Server.Identity;

/// <summary>A verified workload identity (SPIFFE ID, subject), or why verification failed.</summary>
internal sealed record IdentityResult(string? Identity, string? Error)
{
    public static IdentityResult Verified(string identity) => new(identity, null);

    public static IdentityResult Failed(string error) => new(null, error);
}
