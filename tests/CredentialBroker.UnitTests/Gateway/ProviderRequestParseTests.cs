using CredentialBroker.Server.Gateway;
using static CredentialBroker.UnitTests.Gateway.GatewayJson;

namespace CredentialBroker.UnitTests.Gateway;

public sealed class ProviderRequestParseTests
{
    [Fact]
    public void Parse_ChatWithStringAndPartContent_CollectsTextsAndMedia()
    {
        var request = Parse(GatewayEndpoint.ChatCompletions, """
            {"model":"gpt-4o","stream":true,"max_tokens":50,"max_completion_tokens":100,"n":2,
             "messages":[
               {"role":"system","content":"Be brief."},
               {"role":"user","name":"ann","content":[
                 {"type":"text","text":"What is this?"},
                 {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
                 {"type":"input_audio","input_audio":{"data":"BBBB","format":"wav"}},
                 {"type":"file","file":{"file_id":"file-1"}}]},
               {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"cats\"}"}}]},
               {"role":"tool","tool_call_id":"call_1","content":"cats are mammals"}],
             "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}],
             "functions":[{"name":"legacy_fn","parameters":{}}]}
            """);

        Assert.Equal("gpt-4o", request.Model);
        Assert.True(request.Stream);
        Assert.Equal(100, request.MaxOutputTokens);
        Assert.Equal(2, request.OutputChoiceCount);
        Assert.Equal(4, request.MessageCount);
        Assert.Equal(3, request.MediaPartCount);
        Assert.Equal(["lookup", "legacy_fn"], request.ToolNames);
        Assert.Equal(0, request.BuiltInToolCount);
        Assert.Contains("Be brief.", request.Texts);
        Assert.Contains("ann", request.Texts);
        Assert.Contains("What is this?", request.Texts);
        Assert.Contains("{\"q\":\"cats\"}", request.Texts);
        Assert.Contains("cats are mammals", request.Texts);
        Assert.Contains(request.Texts, t => t.Contains("\"parameters\"") && t.Contains("lookup"));
        Assert.Contains(request.Texts, t => t.Contains("legacy_fn"));
        Assert.DoesNotContain(request.Texts, t => t.Contains("AAAA") || t.Contains("BBBB"));
        Assert.False(request.UsesStoredContext);
    }

    [Fact]
    public void Parse_ChatWithOnlyMaxTokens_UsesIt()
    {
        var request = Parse(GatewayEndpoint.ChatCompletions, """{"model":"m","max_tokens":64,"messages":[]}""");

        Assert.Equal(64, request.MaxOutputTokens);
        Assert.False(request.Stream);
        Assert.Empty(request.ToolNames);
    }

    [Fact]
    public void Parse_ChatWithJsonSchemaResponseFormat_CountsTheSchema()
    {
        var request = Parse(GatewayEndpoint.ChatCompletions, """
            {"model":"m","messages":[{"role":"user","content":"hi"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"}}}}
            """);

        Assert.Contains(request.Texts, t => t.Contains("\"answer\""));
    }

    [Fact]
    public void Parse_CompletionsStringBatchAndTokenIds_CountsPromptsAndChoices()
    {
        var strings = Parse(GatewayEndpoint.Completions, """{"model":"m","prompt":["a b","c"],"suffix":"end","n":2,"best_of":3,"max_tokens":7}""");
        var ids = Parse(GatewayEndpoint.Completions, """{"model":"m","prompt":[1,2,3]}""");
        var idBatch = Parse(GatewayEndpoint.Completions, """{"model":"m","prompt":[[1,2],[3,4,5]]}""");

        Assert.Equal(["a b", "c", "end"], strings.Texts);
        Assert.Equal(7, strings.MaxOutputTokens);
        Assert.Equal(6, strings.OutputChoiceCount);
        Assert.Equal(2, strings.MessageCount);
        Assert.Equal(3, ids.PreTokenizedCount);
        Assert.Equal(1, ids.OutputChoiceCount);
        Assert.Empty(ids.Texts);
        Assert.Equal(5, idBatch.PreTokenizedCount);
        Assert.Equal(2, idBatch.OutputChoiceCount);
    }

    [Fact]
    public void Parse_EmbeddingsInputShapes_AreTextsOrTokenIds()
    {
        var text = Parse(GatewayEndpoint.Embeddings, """{"model":"text-embedding-3-small","input":"hello"}""");
        var texts = Parse(GatewayEndpoint.Embeddings, """{"model":"text-embedding-3-small","input":["a","b"],"max_tokens":5}""");
        var tokens = Parse(GatewayEndpoint.Embeddings, """{"model":"text-embedding-3-small","input":[[1,2],[3]]}""");

        Assert.Equal(["hello"], text.Texts);
        Assert.Equal(["a", "b"], texts.Texts);
        Assert.Equal(2, texts.MessageCount);
        Assert.Null(texts.MaxOutputTokens);
        Assert.Equal(3, tokens.PreTokenizedCount);
    }

    [Fact]
    public void Parse_ResponsesItems_CollectsInstructionsItemsAndTools()
    {
        var request = Parse(GatewayEndpoint.Responses, """
            {"model":"gpt-5","instructions":"Answer in French.","max_output_tokens":300,
             "input":[
               {"role":"user","content":[{"type":"input_text","text":"Describe"},{"type":"input_image","image_url":"data:..."},{"type":"input_file","file_id":"f"}]},
               {"type":"function_call","call_id":"c1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
               {"type":"function_call_output","call_id":"c1","output":"sunny"},
               {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Earlier answer"}]}],
             "tools":[{"type":"function","name":"get_weather","parameters":{}},{"type":"web_search"}]}
            """);

        Assert.Equal(300, request.MaxOutputTokens);
        Assert.Equal(5, request.MessageCount);
        Assert.Equal(2, request.MediaPartCount);
        Assert.Equal(["get_weather", "web_search"], request.ToolNames);
        Assert.Equal(1, request.BuiltInToolCount);
        foreach (var text in new[] { "Answer in French.", "Describe", "get_weather", "{\"city\":\"Paris\"}", "sunny", "Earlier answer" })
        {
            Assert.Contains(text, request.Texts);
        }

        Assert.False(request.UsesStoredContext);
    }

    [Fact]
    public void Parse_ResponsesStringInputWithPreviousResponse_FlagsStoredContext()
    {
        var request = Parse(GatewayEndpoint.Responses, """{"model":"gpt-5","input":"go on","previous_response_id":"resp_1"}""");

        Assert.Equal(["go on"], request.Texts);
        Assert.Equal(1, request.MessageCount);
        Assert.Null(request.MaxOutputTokens);
        Assert.True(request.UsesStoredContext);
    }

    [Fact]
    public void Parse_AnthropicMessages_CollectsSystemBlocksToolsAndMedia()
    {
        var request = Parse(GatewayEndpoint.Messages, """
            {"model":"claude-sonnet-4-5","max_tokens":1024,"stream":false,
             "system":[{"type":"text","text":"You are terse.","cache_control":{"type":"ephemeral"}}],
             "messages":[
               {"role":"user","content":"Plain question"},
               {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"tool_use","id":"t1","name":"search","input":{"q":"x"}}]},
               {"role":"user","content":[
                 {"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"result text"},{"type":"image","source":{"type":"base64","data":"CCCC"}}]},
                 {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"DDDD"}},
                 {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain doc"},"title":"Doc title"}]}],
             "tools":[{"name":"search","input_schema":{"type":"object"}},{"type":"web_search_20250305","name":"web_search"}]}
            """);

        Assert.Equal(1024, request.MaxOutputTokens);
        Assert.Equal(4, request.MessageCount);
        Assert.Equal(2, request.MediaPartCount);
        Assert.Equal(["search", "web_search"], request.ToolNames);
        Assert.Equal(1, request.BuiltInToolCount);
        foreach (var text in new[] { "You are terse.", "Plain question", "hmm", "search", "{\"q\":\"x\"}", "result text", "plain doc", "Doc title" })
        {
            Assert.Contains(text, request.Texts);
        }

        Assert.DoesNotContain(request.Texts, t => t.Contains("CCCC") || t.Contains("DDDD"));
    }

    [Fact]
    public void Parse_CountTokens_NeedsNoMaxTokensAndHasNoOutputCap()
    {
        var request = Parse(GatewayEndpoint.CountTokens, """{"model":"claude-haiku-4-5","max_tokens":10,"system":"s","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Null(request.MaxOutputTokens);
        Assert.Equal(["s", "hi"], request.Texts);
    }

    [Fact]
    public void Parse_UnknownContentPart_CountsItsRawJson()
    {
        var request = Parse(GatewayEndpoint.Messages, """{"model":"claude-x","max_tokens":5,"messages":[{"role":"user","content":[{"type":"future_block","payload":"zzz"}]}]}""");

        Assert.Contains(request.Texts, t => t.Contains("zzz") && t.Contains("future_block"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("{}")]
    public void Parse_ModelsWithoutBody_IsAccepted(string body)
    {
        var request = Parse(GatewayEndpoint.Models, body);

        Assert.Equal("", request.Model);
        Assert.Empty(request.Texts);
        Assert.Equal(body, Text(request.Rewrite(100)));
    }
}
