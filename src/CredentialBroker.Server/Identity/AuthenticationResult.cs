using Grpc.Core;

namespace CredentialBroker.Server.Identity;

/// <summary>Who the caller is, or why they are refused.</summary>
internal sealed record AuthenticationResult(Caller? Caller, StatusCode FailureCode = StatusCode.OK, string? FailureMessage = null)
{
    public static AuthenticationResult Success(Caller caller) => new(caller);

    public static AuthenticationResult Unauthenticated(string message) => new(null, StatusCode.Unauthenticated, message);

    public static AuthenticationResult Forbidden(string message) => new(null, StatusCode.PermissionDenied, message);

    public static AuthenticationResult Unavailable(string message) => new(null, StatusCode.Unavailable, message);
}
