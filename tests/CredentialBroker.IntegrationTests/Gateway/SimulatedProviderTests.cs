using System.Net;
using System.Text;
using System.Text.Json;
using CredentialBroker.IntegrationTests.Infrastructure;

namespace CredentialBroker.IntegrationTests.Gateway;

/// <summary>The simulated upstream over real HTTP: documented token counts, both wire formats, fault injection.</summary>
public sealed class SimulatedProviderTests(UpstreamFixture upstream) : IClassFixture<UpstreamFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(upstream.BaseUrl) };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task ChatCompletions_GivenPrompt_ReportsDocumentedUsage()
    {
        // 3 + 5 words, plus 3 per message.
        using var response = await PostAsync("/v1/chat/completions", """
            {"model":"gpt-4o-mini","max_tokens":5,"messages":[
              {"role":"system","content":"You are terse."},
              {"role":"user","content":[{"type":"text","text":"Say hello to the simulator"}]}]}
            """, openAiKey: "sk-anything");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await JsonAsync(response);
        var root = body.RootElement;
        Assert.StartsWith("chatcmpl-sim-", root.GetProperty("id").GetString());
        Assert.Equal("gpt-4o-mini", root.GetProperty("model").GetString());
        Assert.Equal("sim0 sim1 sim2 sim3 sim4", root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var usage = root.GetProperty("usage");
        Assert.Equal(14, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(5, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(19, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatCompletions_StreamWithIncludeUsage_SendsUsageChunkThenDone()
    {
        using var response = await PostAsync("/v1/chat/completions", """
            {"model":"gpt-4o-mini","max_completion_tokens":3,"stream":true,"stream_options":{"include_usage":true},
             "messages":[{"role":"user","content":"Hi there"}]}
            """, openAiKey: "sk-anything");

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var data = (await EventsAsync(response)).Select(e => e.Data).ToList();
        Assert.Equal("[DONE]", data[^1]);
        var chunks = data[..^1].Select(d => JsonDocument.Parse(d).RootElement).ToList();
        var text = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Select(d => d.TryGetProperty("content", out var content) ? content.GetString() : null));
        Assert.Equal("sim0 sim1 sim2", text);
        Assert.All(chunks[..^1], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind));
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        var usageChunk = chunks[^1];
        Assert.Equal(0, usageChunk.GetProperty("choices").GetArrayLength());
        Assert.Equal(5, usageChunk.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, usageChunk.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(8, usageChunk.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Messages_LongPrompt_ReportsCacheReadsApartFromInput()
    {
        // 2045 words + 3 for the message = 2048 input tokens: the caching threshold.
        var prompt = string.Join(' ', Enumerable.Repeat("word", 2045));
        using var response = await PostAsync("/v1/messages", $$"""
            {"model":"claude-sonnet-4-5","max_tokens":2,"messages":[{"role":"user","content":"{{prompt}}"}]}
            """, anthropicKey: "sk-ant-anything");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await JsonAsync(response);
        var root = body.RootElement;
        Assert.Equal("sim0 sim1", root.GetProperty("content")[0].GetProperty("text").GetString());
        var usage = root.GetProperty("usage");
        Assert.Equal(1024, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(1024, usage.GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(2, usage.GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Messages_Stream_ReportsUsageInMessageStartAndMessageDelta()
    {
        using var response = await PostAsync("/v1/messages", """
            {"model":"claude-sonnet-4-5","max_tokens":4,"stream":true,"system":"Be brief.",
             "messages":[{"role":"user","content":[{"type":"text","text":"Count to three"}]}]}
            """, anthropicKey: "sk-ant-anything");

        var events = await EventsAsync(response);
        Assert.Equal(
            ["message_start", "content_block_start", "ping", .. Enumerable.Repeat("content_block_delta", 4), "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Name));
        var start = JsonDocument.Parse(events[0].Data).RootElement.GetProperty("message").GetProperty("usage");
        Assert.Equal(8, start.GetProperty("input_tokens").GetInt32());
        Assert.Equal(0, start.GetProperty("cache_read_input_tokens").GetInt32());
        var text = string.Concat(events.Where(e => e.Name == "content_block_delta")
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal("sim0 sim1 sim2 sim3", text);
        var delta = JsonDocument.Parse(events[^2].Data).RootElement;
        Assert.Equal(4, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal("end_turn", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task ChatCompletions_WithoutKey_Returns401InOpenAiShape()
    {
        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[]}""", anthropicKey: "wrong-header");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = await JsonAsync(response);
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Messages_WithoutKey_Returns401InAnthropicShape()
    {
        using var response = await PostAsync("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = await JsonAsync(response);
        Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("authentication_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Messages_BearerKeyAsTheAnthropicSdkSendsIt_IsAccepted()
    {
        using var response = await PostAsync("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[]}""", openAiKey: "sk-ant-bearer");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Messages_WithoutMaxTokens_Returns400InAnthropicShape()
    {
        using var response = await PostAsync("/v1/messages", """{"model":"claude-sonnet-4-5","messages":[]}""", anthropicKey: "sk-ant-anything");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = await JsonAsync(response);
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task FailNext_Twice_AnswersTwoRequestsWithTheFaultThenSimulatesAndRecordsAll()
    {
        upstream.ClearRequests();
        upstream.FailNext(429, """{"error":{"message":"slow down","type":"rate_limit_error"}}""", times: 2);
        const string Request = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"ping"}]}""";

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await PostAsync("/v1/chat/completions", Request, openAiKey: "sk-recorded");
            statuses.Add(response.StatusCode);
            if (i == 0)
            {
                Assert.Contains("slow down", await response.Content.ReadAsStringAsync());
            }
        }

        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
        Assert.All(upstream.Requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("/v1/chat/completions", r.Path);
            Assert.Equal("Bearer sk-recorded", r.Headers["authorization"]);
            Assert.Equal(Request, r.Body);
        });
        Assert.Equal(3, upstream.Requests.Count);
    }

    [Fact]
    public async Task Embeddings_ArrayInput_ReturnsVectorPerInputAndUsage()
    {
        using var response = await PostAsync("/v1/embeddings", """
            {"model":"text-embedding-3-small","input":["the quick brown fox","jumps", "the quick brown fox"]}
            """, openAiKey: "sk-anything");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await JsonAsync(response);
        var data = body.RootElement.GetProperty("data");
        Assert.Equal(3, data.GetArrayLength());
        Assert.All(data.EnumerateArray(), d => Assert.Equal(8, d.GetProperty("embedding").GetArrayLength()));
        Assert.Equal(data[0].GetProperty("embedding").GetRawText(), data[2].GetProperty("embedding").GetRawText());
        Assert.NotEqual(data[0].GetProperty("embedding").GetRawText(), data[1].GetProperty("embedding").GetRawText());
        var usage = body.RootElement.GetProperty("usage");
        Assert.Equal(9, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(9, usage.GetProperty("total_tokens").GetInt32());
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string json, string? openAiKey = null, string? anthropicKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (openAiKey is not null)
        {
            request.Headers.Add("Authorization", "Bearer " + openAiKey);
        }

        if (anthropicKey is not null)
        {
            request.Headers.Add("x-api-key", anthropicKey);
        }

        return await _http.SendAsync(request);
    }

    private static async Task<JsonDocument> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync());

    /// <summary>The server-sent events of a finished stream: event name (or null) and data.</summary>
    private static async Task<List<(string? Name, string Data)>> EventsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return [.. body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(block =>
        {
            var lines = block.Split('\n');
            var name = lines.FirstOrDefault(l => l.StartsWith("event: ", StringComparison.Ordinal))?["event: ".Length..];
            var data = lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
            return (name, data);
        })];
    }
}
