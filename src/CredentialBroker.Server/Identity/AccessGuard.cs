using CredentialBroker.Server.Audit;
using Grpc.Core;

namespace CredentialBroker.Server.Identity;

/// <summary>Refuses a request after recording the refusal in the audit log. Use as <c>throw await guard.DenyAsync(...)</c>.</summary>
internal sealed class AccessGuard(AuditLog audit)
{
    public async Task<RpcException> DenyAsync(ServerCallContext context, StatusCode code, string message, string action, string targetType, string? targetId)
    {
        await audit.RecordDenialAsync(AuthInterceptor.GetCaller(context), context, new AuditEntry(action, targetType, targetId, message));
        return new RpcException(new Status(code, message));
    }

    /// <summary>Workloads and owners reach only their own credentials; security and admin reach all.</summary>
    public static bool MayAccess(Caller caller, Guid ownerId, Guid workloadId) => caller.Role switch
    {
        BrokerRole.Workload => caller.WorkloadId == workloadId,
        BrokerRole.Owner => caller.OwnerId == ownerId,
        BrokerRole.Security or BrokerRole.Admin => true,
        _ => false,
    };
}
