using System.Diagnostics.CodeAnalysis;
using Google.Rpc;
using Grpc.Core;

namespace CredentialBroker.Server.Grpc;

/// <summary>Throw helpers that give every failure the right status code and a message a person can act on.</summary>
internal static class RpcErrors
{
    [DoesNotReturn]
    public static void InvalidArgument(IReadOnlyList<(string Field, string Description)> violations)
    {
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(violations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
        var message = string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"));
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = message,
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(badRequest) },
        };
        throw status.ToRpcException();
    }

    [DoesNotReturn]
    public static void InvalidArgument(string field, string description) => InvalidArgument([(field, description)]);

    [DoesNotReturn]
    public static void NotFound(string message) => throw new RpcException(new global::Grpc.Core.Status(StatusCode.NotFound, message));

    [DoesNotReturn]
    public static void FailedPrecondition(string message) => throw new RpcException(new global::Grpc.Core.Status(StatusCode.FailedPrecondition, message));

    [DoesNotReturn]
    public static void AlreadyExists(string message) => throw new RpcException(new global::Grpc.Core.Status(StatusCode.AlreadyExists, message));

    [DoesNotReturn]
    public static void PermissionDenied(string message) => throw new RpcException(new global::Grpc.Core.Status(StatusCode.PermissionDenied, message));

    [DoesNotReturn]
    public static void Unauthenticated(string message) => throw new RpcException(new global::Grpc.Core.Status(StatusCode.Unauthenticated, message));
}
