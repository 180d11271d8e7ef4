using CredentialBroker.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace CredentialBroker.Client.Internal;

/// <summary>The client library's own channel to the broker, kept apart from any the application registers.</summary>
internal sealed class BrokerConnection(CallInvoker invoker, IDisposable? owned = null) : IDisposable
{
    public CredentialService.CredentialServiceClient Credentials { get; } = new(invoker);

    public static BrokerConnection ForAddress(string address)
    {
        var channel = GrpcChannel.ForAddress(address);
        return new BrokerConnection(channel.CreateCallInvoker(), channel);
    }

    public void Dispose() => owned?.Dispose();
}
