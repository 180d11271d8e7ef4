namespace CredentialBroker.Server.Revocation;

internal static partial class RevocationLog
{
    [LoggerMessage(3001, LogLevel.Error, "Marking revoked credentials failed; will retry")]
    public static partial void MarkingFailed(ILogger logger, Exception exception);

    [LoggerMessage(3002, LogLevel.Information, "Revocation {RevocationId}: marked {Count} credential rows revoked")]
    public static partial void MarkingCompleted(ILogger logger, Guid revocationId, long count);
}
