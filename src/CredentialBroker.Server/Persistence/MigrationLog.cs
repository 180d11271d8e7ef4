namespace CredentialBroker.Server.Persistence;

internal static partial class MigrationLog
{
    [LoggerMessage(1001, LogLevel.Information, "Applied migration {Version}")]
    public static partial void Applied(ILogger logger, string version);

    [LoggerMessage(1002, LogLevel.Warning, "Database not reachable (attempt {Attempt}); retrying in {Delay}: {Reason}")]
    public static partial void DatabaseUnreachable(ILogger logger, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(1003, LogLevel.Information, "Database schema is current ({Count} migrations applied at start-up)")]
    public static partial void SchemaCurrent(ILogger logger, int count);
}
