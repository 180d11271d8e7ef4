using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.Server.Identity;

/// <summary>gRPC <c>IdentityService</c>: tells a caller how the broker sees it (brokerctl whoami).</summary>
internal sealed class IdentityApi : IdentityService.IdentityServiceBase
{
    public override Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var caller = AuthInterceptor.GetCaller(context);
        return Task.FromResult(new WhoAmIResponse
        {
            Role = BrokerRoles.ToProto(caller.Role),
            Actor = caller.Actor,
            OwnerId = caller.OwnerId?.ToString() ?? string.Empty,
            WorkloadId = caller.WorkloadId?.ToString() ?? string.Empty,
        });
    }
}
