namespace CredentialBroker.Server.Governance;

internal static partial class GovernanceLog
{
    [LoggerMessage(4001, LogLevel.Information, "Expiry job: {Count} credentials expired")]
    public static partial void Expired(ILogger logger, int count);
}
