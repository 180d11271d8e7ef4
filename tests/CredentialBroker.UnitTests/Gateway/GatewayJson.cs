using System.Text;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.UnitTests.Gateway;

/// <summary>Test helpers for JSON bodies given as strings.</summary>
internal static class GatewayJson
{
    public static ProviderRequest Parse(GatewayEndpoint endpoint, string json) =>
        ProviderRequest.Parse(endpoint, Encoding.UTF8.GetBytes(json));

    public static GatewayRequestException Refused(GatewayEndpoint endpoint, string json) =>
        Assert.Throws<GatewayRequestException>(() => Parse(endpoint, json));

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
