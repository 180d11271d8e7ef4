using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CredentialBroker.Client.Internal;

/// <summary>State changes of the client. Keys are never logged; credential ids are not secret.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(1, LogLevel.Information, "Issued credential {CredentialId} for purpose {Purpose}; expires at {ExpiresAt:O}, renewal due in {RenewIn}.")]
    public static partial void CredentialIssued(ILogger logger, string credentialId, string purpose, DateTimeOffset expiresAt, TimeSpan renewIn);

    [LoggerMessage(2, LogLevel.Information, "Renewed credential {CredentialId}; expires at {ExpiresAt:O}, next renewal in {RenewIn}.")]
    public static partial void CredentialRenewed(ILogger logger, string credentialId, DateTimeOffset expiresAt, TimeSpan renewIn);

    [LoggerMessage(3, LogLevel.Warning, "Issuing a credential from {Address} failed ({StatusCode}: {Detail}); retry {Attempt} in {Delay}.")]
    public static partial void IssueRetrying(ILogger logger, string address, StatusCode statusCode, string detail, int attempt, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Warning, "Renewal of credential {CredentialId} was refused ({StatusCode}: {Detail}); issuing a new credential.")]
    public static partial void RenewalRefused(ILogger logger, string credentialId, StatusCode statusCode, string detail);

    [LoggerMessage(5, LogLevel.Information, "Credential {CredentialId} cannot be extended meaningfully (max expiry {MaxExpiresAt:O}); issuing a new credential.")]
    public static partial void MaxLifetimeReached(ILogger logger, string credentialId, DateTimeOffset maxExpiresAt);

    [LoggerMessage(6, LogLevel.Warning, "Keeping credential {CredentialId} valid failed; retry {Attempt} in {Delay}.")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception, string credentialId, int attempt, TimeSpan delay);

    [LoggerMessage(7, LogLevel.Critical, "Could not obtain a credential at start-up: {Reason}")]
    public static partial void StartupFailed(ILogger logger, string reason);

    [LoggerMessage(8, LogLevel.Information, "Credential {CredentialId} was replaced by {NewCredentialId} on request ({Reason}).")]
    public static partial void CredentialRefreshed(ILogger logger, string credentialId, string newCredentialId, string reason);

    [LoggerMessage(9, LogLevel.Warning, "The gateway answered 401 to credential {CredentialId}; issuing a new credential and retrying once.")]
    public static partial void GatewayUnauthorized(ILogger logger, string credentialId);

    [LoggerMessage(10, LogLevel.Error, "Issuing a new credential after a gateway 401 failed; returning the 401.")]
    public static partial void GatewayRefreshFailed(ILogger logger, Exception exception);
}
