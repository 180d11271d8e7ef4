namespace CredentialBroker.Server.Policy;

/// <summary>
/// TTL arithmetic for issue and renewal: a request's TTL defaults to the purpose default, is
/// clamped to the purpose max TTL, and never reaches past the credential's absolute end of life.
/// </summary>
public static class CredentialLifetime
{
    /// <summary>Expiry and absolute end of life of a credential issued at <paramref name="now"/>.</summary>
    public static (DateTimeOffset ExpiresAt, DateTimeOffset MaxExpiresAt) ForIssue(Purpose purpose, TimeSpan? requested, DateTimeOffset now)
    {
        var maxExpiresAt = now + purpose.MaxLifetime;
        return (Clamp(now + Ttl(purpose, requested), maxExpiresAt), maxExpiresAt);
    }

    /// <summary>New expiry of a renewal at <paramref name="now"/>; never past <paramref name="maxExpiresAt"/>.</summary>
    public static DateTimeOffset ForRenewal(Purpose purpose, TimeSpan? requested, DateTimeOffset now, DateTimeOffset maxExpiresAt) =>
        Clamp(now + Ttl(purpose, requested), maxExpiresAt);

    /// <summary>The TTL actually granted for a request.</summary>
    public static TimeSpan Ttl(Purpose purpose, TimeSpan? requested)
    {
        var ttl = requested ?? purpose.DefaultTtl;
        return ttl > purpose.MaxTtl ? purpose.MaxTtl : ttl;
    }

    private static DateTimeOffset Clamp(DateTimeOffset value, DateTimeOffset max) => value > max ? max : value;
}
