using System.CommandLine;
using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Wires a command's work to System.CommandLine and turns failures into one-line errors and exit codes.</summary>
public static class CommandAction
{
    /// <summary>
    /// Sets <paramref name="command"/>'s action to <paramref name="work"/>, run with a fresh <see cref="CliContext"/>.
    /// Commands that print CSV say so with <paramref name="csv"/>; the others refuse <c>-o csv</c>.
    /// </summary>
    public static void Set(Command command, CliEnvironment environment, Func<CliContext, ParseResult, CancellationToken, Task<int>> work, bool csv = false)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            using var context = new CliContext(parseResult, environment, stdout, stderr);
            try
            {
                if (context.Format == OutputFormat.Csv && !csv)
                {
                    throw new UsageException($"'{command.Name}' prints a table or json; -o csv is for 'inventory' and 'report compliance'");
                }

                return await work(context, parseResult, cancellationToken);
            }
            catch (Exception exception)
            {
                return Report(exception, context.Address, stderr);
            }
        });
    }

    /// <summary>Writes the one-line error for <paramref name="exception"/> and returns its exit code.</summary>
    public static int Report(Exception exception, string address, TextWriter stderr)
    {
        switch (exception)
        {
            case UsageException usage:
                stderr.WriteLine("error: " + usage.Message);
                return ExitCodes.Usage;
            case RpcException rpc when IsTlsFailure(rpc, out var reason):
                stderr.WriteLine($"error: TLS handshake with broker at {address} failed: {reason} (check --ca-cert, --client-cert, --client-key)");
                return ExitCodes.Error;
            case RpcException rpc when IsUnreachable(rpc):
                stderr.WriteLine($"error: cannot reach broker at {address}");
                return ExitCodes.Error;
            case RpcException rpc:
                stderr.WriteLine($"error: {rpc.StatusCode}: {rpc.Status.Detail}");
                return rpc.StatusCode switch
                {
                    StatusCode.NotFound => ExitCodes.NotFound,
                    StatusCode.Unauthenticated or StatusCode.PermissionDenied => ExitCodes.Denied,
                    _ => ExitCodes.Error,
                };
            case OperationFailedException failed:
                stderr.WriteLine("error: " + failed.Message);
                return ExitCodes.Error;
            case OperationCanceledException:
                stderr.WriteLine("error: cancelled");
                return ExitCodes.Error;
            default:
                stderr.WriteLine($"error: {exception.GetType().Name}: {exception.Message}");
                return ExitCodes.Error;
        }
    }

    private static bool IsTlsFailure(RpcException rpc, out string reason)
    {
        for (var inner = rpc.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
            {
                reason = inner.Message;
                return true;
            }
        }

        reason = string.Empty;
        return false;
    }

    private static bool IsUnreachable(RpcException rpc) =>
        rpc.StatusCode == StatusCode.Unavailable
        && rpc.Status.DebugException is HttpRequestException or SocketException;
}
