using Grpc.Core;

namespace CredentialBroker.IntegrationTests.Infrastructure;

public static class RpcAssert
{
    /// <summary>Asserts the call fails with <paramref name="code"/> and a message containing <paramref name="messagePart"/>.</summary>
    public static async Task<RpcException> FailsAsync<T>(StatusCode code, Func<Task<T>> call, string? messagePart = null)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call());
        Assert.True(ex.StatusCode == code, $"Expected {code}, got {ex.StatusCode}: {ex.Status.Detail}");
        Assert.False(string.IsNullOrWhiteSpace(ex.Status.Detail), "The error has no message a person could act on.");
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        }

        return ex;
    }

    public static Task<RpcException> FailsAsync<T>(StatusCode code, AsyncUnaryCall<T> call, string? messagePart = null) =>
        FailsAsync(code, async () => await call, messagePart);
}
