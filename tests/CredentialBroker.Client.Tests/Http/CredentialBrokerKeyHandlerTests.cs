using System.Net;
using CredentialBroker.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace CredentialBroker.Client.Tests.Http;

public sealed class CredentialBrokerKeyHandlerTests
{
    [Fact]
    public async Task Send_OpenAiStyle_AddsBearerAuthorization()
    {
        var gateway = new StubGateway("cbk_1");
        using var client = Client(new StubCredentials(), CredentialKeyStyle.OpenAi, gateway);

        using var response = await client.GetAsync("http://gateway.test/v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer cbk_1"], gateway.Seen.Select(s => s.Authorization));
        Assert.All(gateway.Seen, s => Assert.Null(s.ApiKey));
    }

    [Fact]
    public async Task Send_AnthropicStyle_AddsXApiKey()
    {
        var gateway = new StubGateway("cbk_1");
        using var client = Client(new StubCredentials(), CredentialKeyStyle.Anthropic, gateway);

        using var response = await client.PostAsync("http://gateway.test/v1/messages", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["cbk_1"], gateway.Seen.Select(s => s.ApiKey));
        Assert.All(gateway.Seen, s => Assert.Null(s.Authorization));
    }

    [Fact]
    public async Task Send_GatewayRefusesKey_ReissuesOnceAndRetriesOnce()
    {
        var credentials = new StubCredentials();
        var gateway = new StubGateway("cbk_2");
        using var client = Client(credentials, CredentialKeyStyle.OpenAi, gateway);

        using var response = await client.PostAsync("http://gateway.test/v1/chat/completions", new StringContent("{\"model\":\"gpt-4o-mini\"}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, credentials.Refreshes);
        Assert.Equal(["Bearer cbk_1", "Bearer cbk_2"], gateway.Seen.Select(s => s.Authorization));
        Assert.Equal(["{\"model\":\"gpt-4o-mini\"}", "{\"model\":\"gpt-4o-mini\"}"], gateway.Seen.Select(s => s.Body));
    }

    [Fact]
    public async Task Send_GatewayRefusesNewKeyToo_Returns401AfterOneRetry()
    {
        var credentials = new StubCredentials();
        var gateway = new StubGateway("never");
        using var client = Client(credentials, CredentialKeyStyle.OpenAi, gateway);

        using var response = await client.GetAsync("http://gateway.test/v1/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, credentials.Refreshes);
        Assert.Equal(2, gateway.Seen.Count);
    }

    private static HttpClient Client(ICredentialProvider credentials, CredentialKeyStyle style, StubGateway gateway)
    {
        var services = new ServiceCollection();
        services.AddSingleton(credentials);
        services.AddHttpClient("gateway").AddCredentialBrokerKey(style).ConfigurePrimaryHttpMessageHandler(() => gateway);
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient("gateway");
    }

    /// <summary>Accepts only <paramref name="validKey"/>; records what each attempt carried.</summary>
    private sealed class StubGateway(string validKey) : HttpMessageHandler
    {
        public List<(string? Authorization, string? ApiKey, string? Body)> Seen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var authorization = request.Headers.Authorization?.ToString();
            var apiKey = request.Headers.TryGetValues("x-api-key", out var values) ? string.Join(",", values) : null;
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Seen.Add((authorization, apiKey, body));
            var ok = authorization == "Bearer " + validKey || apiKey == validKey;
            return new HttpResponseMessage(ok ? HttpStatusCode.OK : HttpStatusCode.Unauthorized);
        }
    }

    internal sealed class StubCredentials : ICredentialProvider
    {
        private int _n = 1;

        public event EventHandler<BrokerCredential>? CredentialChanged;

        public int Refreshes { get; private set; }

        public BrokerCredential? CurrentCredential { get; private set; } = Make(1);

        public IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);

        public Task<BrokerCredential> RefreshAsync(CancellationToken cancellationToken = default)
        {
            Refreshes++;
            CurrentCredential = Make(++_n);
            CredentialChanged?.Invoke(this, CurrentCredential);
            return Task.FromResult(CurrentCredential);
        }

        private static BrokerCredential Make(int n) =>
            new($"id-{n}", $"cbk_{n}", "http://gateway.test/", DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);
    }
}
