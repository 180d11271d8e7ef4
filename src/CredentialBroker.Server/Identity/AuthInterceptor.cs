using CredentialBroker.Server.Audit;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace CredentialBroker.Server.Identity;

/// <summary>Authenticates every RPC and enforces <see cref="RpcPermissions"/>; refusals are audited.</summary>
internal sealed class AuthInterceptor(CallerAuthenticator authenticator, AuditLog audit) : Interceptor
{
    private const string CallerKey = "credentialbroker.caller";

    public static Caller GetCaller(ServerCallContext context) =>
        context.UserState.TryGetValue(CallerKey, out var caller) && caller is Caller c
            ? c
            : throw new InvalidOperationException("The call was not authenticated; is AuthInterceptor registered?");

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (RpcPermissions.IsPublic(context.Method))
        {
            return await continuation(request, context);
        }

        var result = await authenticator.AuthenticateAsync(context.GetHttpContext(), context.CancellationToken);
        if (result.Caller is null)
        {
            await audit.RecordDenialAsync(Caller.Anonymous, context, new AuditEntry("auth.denied", "rpc", context.Method, result.FailureMessage));
            throw new RpcException(new Status(result.FailureCode, result.FailureMessage!));
        }

        var caller = result.Caller;
        var allowed = RpcPermissions.AllowedRoles(context.Method);
        if (!allowed.Contains(caller.Role))
        {
            var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
            var message = allowed.Count == 0
                ? $"{method} is not available to any caller."
                : $"{method} requires the {string.Join(" or ", allowed.Select(BrokerRoles.ToDb))} role; this caller has the {BrokerRoles.ToDb(caller.Role)} role.";
            await audit.RecordDenialAsync(caller, context, new AuditEntry("rpc.denied", "rpc", context.Method, message));
            throw new RpcException(new Status(StatusCode.PermissionDenied, message));
        }

        context.UserState[CallerKey] = caller;
        return await continuation(request, context);
    }
}
