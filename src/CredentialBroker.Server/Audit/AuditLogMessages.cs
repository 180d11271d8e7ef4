namespace CredentialBroker.Server.Audit;

internal static partial class AuditLogMessages
{
    [LoggerMessage(2001, LogLevel.Error, "Could not record audit denial {Action}")]
    public static partial void DenialNotRecorded(ILogger logger, string action, Exception exception);

    [LoggerMessage(2002, LogLevel.Debug, "Audit chain sealed through seq {Seq}, head {Hash}")]
    public static partial void Sealed(ILogger logger, long seq, string hash);

    [LoggerMessage(2003, LogLevel.Error, "Audit sealing failed; will retry")]
    public static partial void SealFailed(ILogger logger, Exception exception);
}
