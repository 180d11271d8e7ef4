namespace CredentialBroker.Server.Identity;

/// <summary>A verified workload identity (SPIFFE ID, subject), or why verification failed.</summary>
/// <param name="Identity">The verified identity; null when verification failed.</param>
/// <param name="Error">Why verification failed, for the caller.</param>
/// <param name="Retryable">Verification could not be done (e.g. the issuer's keys could not be loaded), rather than failed.</param>
internal sealed record IdentityResult(string? Identity, string? Error, bool Retryable = false)
{
    public static IdentityResult Verified(string identity) => new(identity, null);

    public static IdentityResult Failed(string error) => new(null, error);

    public static IdentityResult Unavailable(string error) => new(null, error, Retryable: true);
}
