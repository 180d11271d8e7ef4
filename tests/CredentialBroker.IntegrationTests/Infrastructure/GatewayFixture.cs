using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CredentialBroker.V1;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Infrastructure;

/// <summary>A broker whose providers point at a local simulated upstream (with fault injection and request recording).</summary>
public class GatewayFixture : BrokerFixture
{
    public UpstreamFixture Upstream { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public override async Task InitializeAsync()
    {
        await Upstream.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        Http.Dispose();
        await base.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    /// <summary>
    /// A world whose provider is the simulated upstream of the given kind, priced at 1 micro-USD per input
    /// token and 2 per output token ("sim-*" models, 1,000 output tokens max), with the given gateway policy.
    /// </summary>
    public Task<World> SeedGatewayAsync(Action<GatewayPolicy>? policy = null, string kind = "openai", Action<CreatePurposeRequest>? purpose = null) =>
        SeedAsync(
            p =>
            {
                p.AllowedModels.Clear();
                p.AllowedModels.Add(kind == "anthropic" ? "claude-*" : "gpt-*");
                p.AllowedModels.Add("text-embedding-*");
                p.Gateway = new GatewayPolicy();
                policy?.Invoke(p.Gateway);
                purpose?.Invoke(p);
            },
            p =>
            {
                p.Name = kind + "-" + Guid.NewGuid().ToString("N")[..8];
                p.Kind = kind;
                p.BaseUrl = Upstream.BaseUrl;
                p.Prices.Add(new ModelPrice { Model = kind == "anthropic" ? "claude-*" : "gpt-*", InputMicroUsdPerMillion = 1_000_000, OutputMicroUsdPerMillion = 2_000_000, MaxOutputTokens = 1000 });
                p.Prices.Add(new ModelPrice { Model = "text-embedding-*", InputMicroUsdPerMillion = 1_000_000, MaxOutputTokens = 1 });
            });

    /// <summary>Issues a key for the world's workload.</summary>
    public async Task<string> KeyAsync(World world) => (await IssueAsync(world)).Secret;

    /// <summary>POSTs JSON to the gateway with the key in the header the format uses.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string key, object body, IDictionary<string, string>? headers = null, bool anthropicHeader = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GatewayAddress + path)
        {
            Content = new StringContent(body as string ?? System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (anthropicHeader)
        {
            request.Headers.Add("x-api-key", key);
            request.Headers.Add("anthropic-version", "2023-06-01");
        }
        else if (key.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>A chat request whose simulated usage is 4 input tokens ("hello" + 3) and max_tokens output tokens.</summary>
    public static object Chat(string model = "gpt-4o-mini", int? maxTokens = 10, bool stream = false)
    {
        var body = new JsonObject { ["model"] = model, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello" }) };
        if (maxTokens is { } m)
        {
            body["max_tokens"] = m;
        }

        if (stream)
        {
            body["stream"] = true;
        }

        return body.ToJsonString();
    }

    public UsageService.UsageServiceClient UsageClient => new(Channel);

    /// <summary>"input cached output cost source outcome streamed" of a credential's only usage event.</summary>
    public async Task<string> UsageRowAsync(string credentialId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT input_tokens, cached_input_tokens, output_tokens, cost_micro_usd, usage_source, outcome, streamed FROM usage_events WHERE credential_id = $1", connection);
        command.Parameters.Add(new() { Value = Guid.Parse(credentialId) });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no usage event");
        var row = $"{reader.GetInt64(0)} {reader.GetInt64(1)} {reader.GetInt64(2)} {reader.GetInt64(3)} {reader.GetString(4)} {reader.GetString(5)} {reader.GetBoolean(6)}";
        Assert.False(await reader.ReadAsync(), "more than one usage event");
        return row;
    }

    /// <summary>Waits until every metered call so far is written.</summary>
    public async Task FlushUsageAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Services.GetRequiredService<Server.Gateway.UsageRecorder>().FlushAsync(timeout.Token);
    }

    /// <summary>The error JSON a denial carries: (code or type, message).</summary>
    public static async Task<(string Code, string Message)> ErrorAsync(HttpResponseMessage response)
    {
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var error = json["error"]!;
        var code = error["code"]?.GetValue<string>() ?? response.Headers.GetValues("x-broker-denial").Single();
        return (code, error["message"]!.GetValue<string>());
    }
}
