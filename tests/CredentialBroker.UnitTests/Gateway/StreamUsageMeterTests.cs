using System.Text;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.UnitTests.Gateway;

public sealed class StreamUsageMeterTests
{
    private const string ChatStream =
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],\"usage\":null}\n\n" +
        ": keep-alive comment\n\n" +
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}],\"usage\":null}\n\n" +
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\", wörld 🚀\"}}],\"usage\":null}\r\n\r\n" +
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":1}\"}}]}}]}\n\n" +
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n" +
        "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":25,\"completion_tokens\":9,\"total_tokens\":34,\"prompt_tokens_details\":{\"cached_tokens\":16}}}\n\n" +
        "data: [DONE]\n\n";

    private const string AnthropicStream =
        "event: message_start\n" +
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":20,\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":300,\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me think. \"}}\n\n" +
        "event: ping\ndata: {\"type\": \"ping\"}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Bonjour\"}}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"q\\\":\"}}\n\n" +
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n" +
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private const string ResponsesStream =
        "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"usage\":null}}\n\n" +
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"m1\",\"delta\":\"Hi\"}\n\n" +
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"m1\",\"delta\":\" there\"}\n\n" +
        "event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"delta\":\"{}\"}\n\n" +
        "event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\",\"text\":\"Hi there\"}\n\n" +
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"usage\":{\"input_tokens\":40,\"input_tokens_details\":{\"cached_tokens\":8},\"output_tokens\":6,\"total_tokens\":46}}}\n\n";

    [Fact]
    public void Append_OpenAIChatStream_ReportsFinalUsageTextAndDone()
    {
        var meter = Feed(GatewayEndpoint.ChatCompletions, ChatStream, [int.MaxValue]);

        Assert.Equal(new UsageReport(25, 16, 9), meter.Reported);
        Assert.Null(meter.InputFromStart);
        Assert.Equal("Hello, wörld 🚀{\"a\":1}", meter.GeneratedText);
        Assert.True(meter.Completed);
    }

    [Fact]
    public void Append_AnthropicStream_CombinesStartInputWithDeltaOutput()
    {
        var meter = Feed(GatewayEndpoint.Messages, AnthropicStream, [int.MaxValue]);

        Assert.Equal(new UsageReport(420, 300, 15), meter.Reported);
        Assert.Equal(new UsageReport(420, 300, 0), meter.InputFromStart);
        Assert.Equal("Let me think. Bonjour{\"q\":", meter.GeneratedText);
        Assert.True(meter.Completed);
    }

    [Fact]
    public void Append_ResponsesStream_ReportsCompletedUsage()
    {
        var meter = Feed(GatewayEndpoint.Responses, ResponsesStream, [int.MaxValue]);

        Assert.Equal(new UsageReport(40, 8, 6), meter.Reported);
        Assert.Equal("Hi there{}", meter.GeneratedText);
        Assert.True(meter.Completed);
    }

    public static TheoryData<string, string> Streams => new()
    {
        { "ChatCompletions", ChatStream },
        { "Messages", AnthropicStream },
        { "Responses", ResponsesStream },
        { "ChatCompletions", ChatStream.Replace("\n", "\r\n") },
        { "Messages", AnthropicStream.Replace("\n", "\r") },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void Append_ByteByByteOrRandomChunks_GivesTheSameResultAsOneChunk(string endpointName, string stream)
    {
        var endpoint = Enum.Parse<GatewayEndpoint>(endpointName);
        var whole = Feed(endpoint, stream, [int.MaxValue]);
        var random = new Random(7);

        var meters = new List<StreamUsageMeter> { Feed(endpoint, stream, [1]) };
        for (var round = 0; round < 20; round++)
        {
            meters.Add(Feed(endpoint, stream, Enumerable.Range(0, 64).Select(_ => random.Next(1, 40)).ToArray()));
        }

        Assert.NotNull(whole.Reported);
        Assert.All(meters, meter =>
        {
            Assert.Equal(whole.Reported, meter.Reported);
            Assert.Equal(whole.InputFromStart, meter.InputFromStart);
            Assert.Equal(whole.GeneratedText, meter.GeneratedText);
            Assert.Equal(whole.Completed, meter.Completed);
        });
    }

    [Fact]
    public void Append_AnthropicCutOffBeforeMessageDelta_HasOnlyInputFromStart()
    {
        var cut = AnthropicStream[..AnthropicStream.IndexOf("event: message_delta", StringComparison.Ordinal)];

        var meter = Feed(GatewayEndpoint.Messages, cut, [int.MaxValue]);

        Assert.Null(meter.Reported);
        Assert.Equal(new UsageReport(420, 300, 0), meter.InputFromStart);
        Assert.Equal("Let me think. Bonjour{\"q\":", meter.GeneratedText);
        Assert.False(meter.Completed);
    }

    [Fact]
    public void Append_AnthropicDeltaWithInputCounts_TakesThem()
    {
        const string stream =
            "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":20,\"cache_read_input_tokens\":300,\"output_tokens\":1}}}\n\n" +
            "data: {\"type\":\"message_delta\",\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":7,\"output_tokens\":4}}\n\n";

        var meter = Feed(GatewayEndpoint.Messages, stream, [int.MaxValue]);

        Assert.Equal(new UsageReport(332, 300, 4), meter.Reported);
        Assert.Equal(new UsageReport(320, 300, 0), meter.InputFromStart);
    }

    [Fact]
    public void Append_ChatCutOffMidStream_HasTextButNoUsageAndIsNotCompleted()
    {
        var meter = Feed(GatewayEndpoint.ChatCompletions, ChatStream[..ChatStream.IndexOf("tool_calls", StringComparison.Ordinal)], [13]);

        Assert.Null(meter.Reported);
        Assert.Equal("Hello, wörld 🚀", meter.GeneratedText);
        Assert.False(meter.Completed);
    }

    [Fact]
    public void Append_CompletionsStream_AccumulatesChoiceText()
    {
        const string stream =
            "data: {\"choices\":[{\"text\":\"Once\",\"index\":0}]}\n\n" +
            "data: {\"choices\":[{\"text\":\" upon\",\"index\":0}]}\n\n" +
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n" +
            "data: [DONE]\n\n";

        var meter = Feed(GatewayEndpoint.Completions, stream, [5]);

        Assert.Equal("Once upon", meter.GeneratedText);
        Assert.Equal(new UsageReport(3, 0, 2), meter.Reported);
        Assert.True(meter.Completed);
    }

    [Fact]
    public void Append_MalformedEvents_AreSkipped()
    {
        const string stream =
            "data: {\"choices\":[{\"delta\":{\"content\":\"A\"}}]}\n\n" +
            "data: {\"choices\":[{\"delta\":{\"content\":\n\n" +
            "data: not json at all\n\n" +
            "data: [1,2,3]\n\n" +
            "data: {\"choices\":\"wrong\",\"usage\":\"wrong\"}\n\n" +
            "data: {\"choices\":[7,{\"delta\":[]},{\"delta\":{\"content\":5}}]}\n\n" +
            "data\n\n" +
            "retry: 1000\nid: 5\n\n" +
            "data: {\"choices\":[{\"delta\":{\"content\":\"B\"}}]}\n\n" +
            "data: [DONE]\n\n";

        var meter = Feed(GatewayEndpoint.ChatCompletions, stream, [3]);

        Assert.Equal("AB", meter.GeneratedText);
        Assert.Null(meter.Reported);
        Assert.True(meter.Completed);
    }

    [Fact]
    public void Append_DoneOnAnthropicOrResponsesStream_DoesNotComplete()
    {
        Assert.False(Feed(GatewayEndpoint.Messages, "data: [DONE]\n\n", [100]).Completed);
        Assert.False(Feed(GatewayEndpoint.Responses, "data: [DONE]\n\n", [100]).Completed);
    }

    [Theory]
    [InlineData("response.incomplete")]
    [InlineData("response.failed")]
    public void Append_ResponsesTerminalEvents_ReportUsageAndComplete(string type)
    {
        var stream = "data: {\"type\":\"" + type + "\",\"response\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n";

        var meter = Feed(GatewayEndpoint.Responses, stream, [4]);

        Assert.Equal(new UsageReport(9, 0, 1), meter.Reported);
        Assert.True(meter.Completed);
    }

    [Fact]
    public void Append_LastEventWithoutBlankLine_StillCounts()
    {
        var meter = Feed(GatewayEndpoint.ChatCompletions, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\ndata: [DONE]\n", [1000]);

        Assert.Equal(new UsageReport(1, 0, 1), meter.Reported);
        Assert.True(meter.Completed);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Append_EventSplitOverSeveralDataLines_IsJoined(string newline)
    {
        var stream = "data: {\"type\":\"response.output_text.delta\"," + newline + "data: \"delta\":\"joined\"}" + newline + newline;

        Assert.Equal("joined", Feed(GatewayEndpoint.Responses, stream, [1]).GeneratedText);
        Assert.Equal("joined", Feed(GatewayEndpoint.Responses, stream, [int.MaxValue]).GeneratedText);
    }

    [Fact]
    public void Append_LineOverFourMegabytes_IsDroppedAndLaterEventsCount()
    {
        var huge = "data: {\"choices\":[{\"delta\":{\"content\":\"" + new string('x', SseEventReader.MaxLineBytes) + "\"}}]}\n\n";
        var stream = huge + "data: {\"choices\":[{\"delta\":{\"content\":\"after\"}}]}\n\ndata: [DONE]\n\n";

        var meter = Feed(GatewayEndpoint.ChatCompletions, stream, [65536]);

        Assert.Equal("after", meter.GeneratedText);
        Assert.True(meter.Completed);
    }

    [Fact]
    public void GeneratedText_PastTheCap_IsCountedNotKept()
    {
        var delta = new string('y', 300_000);
        var stream = string.Concat(Enumerable.Repeat("data: {\"choices\":[{\"delta\":{\"content\":\"" + delta + "\"}}]}\n\n", 4));

        var meter = Feed(GatewayEndpoint.ChatCompletions, stream, [8192]);

        Assert.Equal(StreamUsageMeter.MaxGeneratedChars, meter.GeneratedText.Length);
        Assert.Equal(200_000, meter.GeneratedCharsBeyondCap);
    }

    private static StreamUsageMeter Feed(GatewayEndpoint endpoint, string stream, int[] chunkSizes)
    {
        var meter = new StreamUsageMeter(endpoint);
        var bytes = Encoding.UTF8.GetBytes(stream).AsSpan();
        for (var i = 0; !bytes.IsEmpty; i++)
        {
            var size = Math.Min(chunkSizes[i % chunkSizes.Length], bytes.Length);
            meter.Append(bytes[..size]);
            bytes = bytes[size..];
        }

        return meter;
    }
}
