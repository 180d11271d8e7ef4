using System.Net;

namespace CredentialBroker.Client.Tests.Http;

public sealed class BrokerCallDepthTests
{
    [Fact]
    public async Task GatewayCall_CarriesTheDepthOfTheWorkThatMakesIt()
    {
        var seen = new Recorder();
        using var client = new HttpClient(new CredentialBrokerKeyHandler(new CredentialBrokerKeyHandlerTests.StubCredentials(), CredentialKeyStyle.OpenAi) { InnerHandler = seen });

        using (BrokerCallDepth.Enter("2"))
        {
            (await client.GetAsync("http://gateway.test/v1/models")).Dispose();
        }

        (await client.GetAsync("http://gateway.test/v1/models")).Dispose();

        Assert.Equal(["2", "0"], seen.Depths);
    }

    [Fact]
    public async Task CallToAnotherAgent_CarriesOneMore()
    {
        var seen = new Recorder();
        using var client = new HttpClient(new BrokerCallDepthHandler { InnerHandler = seen });

        (await client.GetAsync("http://agent.test/work")).Dispose();
        using (BrokerCallDepth.Enter(3))
        {
            (await client.GetAsync("http://agent.test/work")).Dispose();
        }

        Assert.Equal(["1", "4"], seen.Depths);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("one")]
    [InlineData("+2")]
    public void Enter_MalformedHeader_IsRefusedRatherThanReset(string header) =>
        Assert.Throws<FormatException>(() => BrokerCallDepth.Enter(header));

    [Fact]
    public async Task Depth_FlowsAcrossAwaitsAndIsRestoredOnDispose()
    {
        using (BrokerCallDepth.Enter(1))
        {
            await Task.Yield();
            Assert.Equal(1, BrokerCallDepth.Current);
            using (BrokerCallDepth.Enter(2))
            {
                Assert.Equal(2, await Task.Run(() => BrokerCallDepth.Current));
            }

            Assert.Equal(1, BrokerCallDepth.Current);
        }

        Assert.Equal(0, BrokerCallDepth.Current);
    }

    private sealed class Recorder : HttpMessageHandler
    {
        public List<string> Depths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Depths.Add(string.Join(",", request.Headers.GetValues(BrokerCallDepth.HeaderName)));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
