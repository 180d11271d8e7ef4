namespace CredentialBroker.Server.Persistence;

internal static class TimeProviderExtensions
{
    /// <summary>Now, truncated to PostgreSQL's microsecond precision so values read back compare equal.</summary>
    public static DateTimeOffset GetDbNow(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
    }
}
