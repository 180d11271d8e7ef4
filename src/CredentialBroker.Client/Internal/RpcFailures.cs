using Grpc.Core;

namespace CredentialBroker.Client.Internal;

/// <summary>Which broker failures are worth retrying.</summary>
internal static class RpcFailures
{
    public static bool IsTransient(StatusCode code) => code is
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Internal;

    /// <summary>The broker refused to renew this credential; only a new one helps.</summary>
    public static bool RequiresReissue(StatusCode code) => code is StatusCode.FailedPrecondition or StatusCode.NotFound;
}
