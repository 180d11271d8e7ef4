using CredentialBroker.Server.Gateway;

namespace CredentialBroker.UnitTests.Gateway;

public sealed class GatewayEndpointsTests
{
    [Theory]
    [InlineData("ChatCompletions", "chat.completions", "OpenAI", true)]
    [InlineData("Completions", "completions", "OpenAI", true)]
    [InlineData("Embeddings", "embeddings", "OpenAI", false)]
    [InlineData("Responses", "responses", "OpenAI", true)]
    [InlineData("Models", "models", "OpenAI", false)]
    [InlineData("Messages", "messages", "Anthropic", true)]
    [InlineData("CountTokens", "messages.count_tokens", "Anthropic", false)]
    public void Facts_EachEndpoint_MatchTheAllowlist(string endpointName, string name, string formatName, bool producesOutput)
    {
        var endpoint = Enum.Parse<GatewayEndpoint>(endpointName);
        var format = Enum.Parse<WireFormat>(formatName);
        Assert.Equal(name, GatewayEndpoints.Name(endpoint));
        Assert.True(GatewayEndpoints.TryParseName(name, out var parsed));
        Assert.Equal(endpoint, parsed);
        Assert.Equal(format, GatewayEndpoints.Format(endpoint));
        Assert.Equal(producesOutput, GatewayEndpoints.ProducesOutput(endpoint));
    }

    [Fact]
    public void Names_ListsEveryEndpointOnce() =>
        Assert.Equal(Enum.GetValues<GatewayEndpoint>().Select(GatewayEndpoints.Name), GatewayEndpoints.Names);

    [Theory]
    [InlineData("Chat.Completions")]
    [InlineData("chat")]
    [InlineData("")]
    public void TryParseName_UnknownOrWrongCase_ReturnsFalse(string name) =>
        Assert.False(GatewayEndpoints.TryParseName(name, out _));
}
