using System.Text;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.UnitTests.Gateway;

public sealed class ResponseUsageParserTests
{
    [Theory]
    [InlineData("ChatCompletions", """
        {"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"}}],
         "usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":10}}}
        """, 120, 64, 30)]
    [InlineData("ChatCompletions", """{"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}""", 12, 0, 3)]
    [InlineData("Completions", """{"object":"text_completion","choices":[{"text":"x"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}""", 5, 0, 7)]
    [InlineData("Embeddings", """{"object":"list","data":[{"embedding":[0.1]}],"usage":{"prompt_tokens":8,"total_tokens":8}}""", 8, 0, 0)]
    [InlineData("Responses", """
        {"id":"resp_1","object":"response","status":"completed","output":[],
         "usage":{"input_tokens":300,"input_tokens_details":{"cached_tokens":200},"output_tokens":50,"output_tokens_details":{"reasoning_tokens":20},"total_tokens":350}}
        """, 300, 200, 50)]
    [InlineData("Messages", """
        {"id":"msg_1","type":"message","content":[{"type":"text","text":"Hi"}],
         "usage":{"input_tokens":10,"cache_creation_input_tokens":1000,"cache_read_input_tokens":5000,"output_tokens":42}}
        """, 6010, 5000, 42)]
    [InlineData("Messages", """{"usage":{"input_tokens":10,"output_tokens":2}}""", 10, 0, 2)]
    public void Parse_DocumentedUsage_ReadsInputCachedAndOutput(string endpoint, string body, long input, long cached, long output)
    {
        var usage = ResponseUsageParser.Parse(Enum.Parse<GatewayEndpoint>(endpoint), Encoding.UTF8.GetBytes(body));

        Assert.Equal(new UsageReport(input, cached, output), usage);
        Assert.Equal(input + output, usage!.Value.TotalTokens);
    }

    [Theory]
    [InlineData("ChatCompletions", """{"choices":[]}""")]
    [InlineData("ChatCompletions", """{"usage":null}""")]
    [InlineData("ChatCompletions", """{"usage":{}}""")]
    [InlineData("ChatCompletions", """{"usage":{"prompt_tokens":"12"}}""")]
    [InlineData("ChatCompletions", "not json")]
    [InlineData("ChatCompletions", """{"usage":{"prompt_tokens":1""")]
    [InlineData("ChatCompletions", "[1,2]")]
    [InlineData("ChatCompletions", "")]
    [InlineData("Responses", """{"usage":{"prompt_tokens":5}}""")]
    [InlineData("CountTokens", """{"input_tokens":42}""")]
    [InlineData("Models", """{"data":[]}""")]
    public void Parse_NoUsableUsage_ReturnsNull(string endpoint, string body) =>
        Assert.Null(ResponseUsageParser.Parse(Enum.Parse<GatewayEndpoint>(endpoint), Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Parse_NegativeOrFractionalCounts_AreClampedAndRoundedUp()
    {
        var usage = ResponseUsageParser.Parse(GatewayEndpoint.ChatCompletions, """{"usage":{"prompt_tokens":-4,"completion_tokens":2.2}}"""u8);

        Assert.Equal(new UsageReport(0, 0, 3), usage);
    }
}
