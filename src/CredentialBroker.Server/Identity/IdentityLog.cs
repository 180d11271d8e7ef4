namespace CredentialBroker.Server.Identity;

internal static partial class IdentityLog
{
    [LoggerMessage(5001, LogLevel.Warning, "Signing keys of JWT issuer {Issuer} could not be loaded from {Source}")]
    public static partial void JwksLoadFailed(ILogger logger, Exception exception, string issuer, string source);
}
