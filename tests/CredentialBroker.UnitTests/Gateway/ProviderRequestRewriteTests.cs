using CredentialBroker.Server.Gateway;
using static CredentialBroker.UnitTests.Gateway.GatewayJson;

namespace CredentialBroker.UnitTests.Gateway;

public sealed class ProviderRequestRewriteTests
{
    [Fact]
    public void Rewrite_ChatWithoutCap_AddsMaxCompletionTokensAtTheEnd()
    {
        var request = Parse(GatewayEndpoint.ChatCompletions, """{"model":"gpt-4o","messages":[{"role":"user","content":"héllo <b>"}],"temperature":0.10}""");

        Assert.Equal(
            """{"model":"gpt-4o","messages":[{"role":"user","content":"héllo <b>"}],"temperature":0.10,"max_completion_tokens":256}""",
            Text(request.Rewrite(256)));
    }

    [Fact]
    public void Rewrite_ChatCallerUsedMaxTokens_ReplacesItInPlace()
    {
        var request = Parse(GatewayEndpoint.ChatCompletions, """{"model":"gpt-4o","max_tokens":4000,"messages":[]}""");

        Assert.Equal("""{"model":"gpt-4o","max_tokens":1000,"messages":[]}""", Text(request.Rewrite(1000)));
    }

    [Fact]
    public void Rewrite_ChatCallerUsedBothFields_CapsBoth()
    {
        var request = Parse(GatewayEndpoint.ChatCompletions, """{"model":"o3","max_tokens":10,"max_completion_tokens":9000,"messages":[]}""");

        Assert.Equal("""{"model":"o3","max_tokens":500,"max_completion_tokens":500,"messages":[]}""", Text(request.Rewrite(500)));
    }

    [Theory]
    [InlineData("Completions", """{"model":"m","prompt":"p"}""", """{"model":"m","prompt":"p","max_tokens":20}""")]
    [InlineData("Completions", """{"model":"m","max_tokens":99,"prompt":"p"}""", """{"model":"m","max_tokens":20,"prompt":"p"}""")]
    [InlineData("Responses", """{"model":"m","input":"x","stream":true}""", """{"model":"m","input":"x","stream":true,"max_output_tokens":20}""")]
    [InlineData("Responses", """{"max_output_tokens":80,"model":"m","input":"x"}""", """{"max_output_tokens":20,"model":"m","input":"x"}""")]
    [InlineData("Messages", """{"model":"claude","max_tokens":4096,"messages":[]}""", """{"model":"claude","max_tokens":20,"messages":[]}""")]
    public void Rewrite_SetsTheEndpointsCapField(string endpoint, string body, string expected) =>
        Assert.Equal(expected, Text(Parse(Enum.Parse<GatewayEndpoint>(endpoint), body).Rewrite(20)));

    [Theory]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"stream":true}""", """{"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"stream":true,"stream_options":null}""", """{"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("ChatCompletions", """{"model":"m","stream_options":{"include_usage":false,"include_obfuscation":false},"messages":[],"stream":true}""", """{"model":"m","stream_options":{"include_usage":true,"include_obfuscation":false},"messages":[],"stream":true}""")]
    [InlineData("Completions", """{"model":"m","prompt":"p","stream":true,"stream_options":{}}""", """{"model":"m","prompt":"p","stream":true,"stream_options":{"include_usage":true}}""")]
    public void Rewrite_OpenAIStream_AsksForUsage(string endpoint, string body, string expected) =>
        Assert.Equal(expected, Text(Parse(Enum.Parse<GatewayEndpoint>(endpoint), body).Rewrite(null)));

    [Fact]
    public void Rewrite_StreamWithCap_DoesBoth()
    {
        var request = Parse(GatewayEndpoint.ChatCompletions, """{"model":"m","messages":[],"stream":true}""");

        Assert.Equal(
            """{"model":"m","messages":[],"stream":true,"max_completion_tokens":5,"stream_options":{"include_usage":true}}""",
            Text(request.Rewrite(5)));
    }

    [Theory]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"stream":false}""", null)]
    [InlineData("ChatCompletions", """{"model":"m", "max_tokens": 20, "messages":[]}""", 20)]
    [InlineData("ChatCompletions", """{"model":"m", "messages":[], "stream":true, "stream_options":{"include_usage":true}}""", null)]
    [InlineData("Responses", """{"model":"m","input":"x","stream":true}""", null)]
    [InlineData("Messages", """{"model":"claude","stream":true,"max_tokens":20,"messages":[]}""", 20)]
    [InlineData("Embeddings", """{"model":"m","input":"x"}""", 20)]
    [InlineData("CountTokens", """{"model":"claude","messages":[]}""", 20)]
    public void Rewrite_NothingToChange_ReturnsTheOriginalBytes(string endpoint, string body, int? cap)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        var request = ProviderRequest.Parse(Enum.Parse<GatewayEndpoint>(endpoint), bytes);

        var rewritten = request.Rewrite(cap);

        Assert.True(rewritten.Span == bytes.AsSpan(), "expected the very same bytes, not a copy");
    }

    [Fact]
    public void Rewrite_KeepsNumbersEscapesAndUnknownFieldsAsSent()
    {
        var request = Parse(GatewayEndpoint.ChatCompletions, """{"model":"m","messages":[{"role":"user","content":"a\"b\\c\nd"}],"seed":12345678901234567890,"top_p":1e-3,"metadata":{"k":[1,{"x":null}]}}""");

        Assert.Equal(
            """{"model":"m","messages":[{"role":"user","content":"a\"b\\c\nd"}],"seed":12345678901234567890,"top_p":1e-3,"metadata":{"k":[1,{"x":null}]},"max_completion_tokens":7}""",
            Text(request.Rewrite(7)));
    }

    [Fact]
    public void Rewrite_NonPositiveCap_Throws()
    {
        var request = Parse(GatewayEndpoint.Messages, """{"model":"claude","max_tokens":20,"messages":[]}""");

        Assert.Throws<ArgumentOutOfRangeException>(() => request.Rewrite(0));
    }
}
