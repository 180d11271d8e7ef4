namespace CredentialBroker.Server.Governance;

internal static partial class GovernanceLog
{
    [LoggerMessage(4001, LogLevel.Information, "Expiry job: {Count} credentials expired")]
    public static partial void Expired(ILogger logger, int count);

    [LoggerMessage(4002, LogLevel.Warning, "Ownerless sweep: {Count} credentials were still active under a deactivated owner, retired purpose or deregistered workload; revoked")]
    public static partial void OwnerlessRevoked(ILogger logger, int count);

    [LoggerMessage(4003, LogLevel.Information, "Stale job: {Count} unused credentials revoked")]
    public static partial void StaleRevoked(ILogger logger, int count);

    [LoggerMessage(4004, LogLevel.Error, "Owner directory sync: {File} rejected, nothing changed: {Errors}")]
    public static partial void DirectoryRejected(ILogger logger, string file, string errors);

    [LoggerMessage(4005, LogLevel.Information, "Owner directory sync: {Listed} listed, {Created} created, {Updated} updated, {Missing} missing, {Deactivated} deactivated")]
    public static partial void DirectorySynced(ILogger logger, int listed, int created, int updated, int missing, int deactivated);
}
