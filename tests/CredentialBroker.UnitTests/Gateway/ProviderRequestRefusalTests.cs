using CredentialBroker.Server.Gateway;
using static CredentialBroker.UnitTests.Gateway.GatewayJson;

namespace CredentialBroker.UnitTests.Gateway;

public sealed class ProviderRequestRefusalTests
{
    [Theory]
    [InlineData("ChatCompletions", """{"messages":[]}""", "model")]
    [InlineData("ChatCompletions", """{"model":42,"messages":[]}""", "model")]
    [InlineData("ChatCompletions", """{"model":" ","messages":[]}""", "model")]
    [InlineData("Embeddings", """{"model":null,"input":"x"}""", "model")]
    [InlineData("ChatCompletions", """{"model":"m"}""", "messages")]
    [InlineData("ChatCompletions", """{"model":"m","messages":{}}""", "messages")]
    [InlineData("ChatCompletions", """{"model":"m","messages":["hi"]}""", "messages")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[{"role":"user","content":5}]}""", "messages")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[{"role":"user","content":[7]}]}""", "messages")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"tools":{}}""", "tools")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"stream":"yes"}""", "stream")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"stream":true,"stream_options":"x"}""", "stream_options")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"max_tokens":0}""", "max_tokens")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"max_completion_tokens":-5}""", "max_completion_tokens")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"max_tokens":10.5}""", "max_tokens")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"max_tokens":"10"}""", "max_tokens")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"max_tokens":3000000000}""", "max_tokens")]
    [InlineData("ChatCompletions", """{"model":"m","messages":[],"n":0}""", "n")]
    [InlineData("Completions", """{"model":"m","prompt":5}""", "prompt")]
    [InlineData("Completions", """{"model":"m","prompt":["a",1]}""", "prompt")]
    [InlineData("Completions", """{"model":"m","prompt":"a","best_of":-1}""", "best_of")]
    [InlineData("Embeddings", """{"model":"m"}""", "input")]
    [InlineData("Embeddings", """{"model":"m","input":{"text":"a"}}""", "input")]
    [InlineData("Responses", """{"model":"m","input":3}""", "input")]
    [InlineData("Responses", """{"model":"m","input":["text"]}""", "input")]
    [InlineData("Responses", """{"model":"m","input":"x","max_output_tokens":0}""", "max_output_tokens")]
    [InlineData("Messages", """{"model":"claude","messages":[]}""", "max_tokens")]
    [InlineData("Messages", """{"model":"claude","max_tokens":null,"messages":[]}""", "max_tokens")]
    [InlineData("Messages", """{"model":"claude","max_tokens":-1,"messages":[]}""", "max_tokens")]
    [InlineData("Messages", """{"model":"claude","max_tokens":10}""", "messages")]
    [InlineData("Messages", """{"model":"claude","max_tokens":10,"system":1,"messages":[]}""", "system")]
    [InlineData("CountTokens", """{"model":"claude","messages":"hi"}""", "messages")]
    public void Parse_InvalidField_RefusesNamingTheField(string endpoint, string body, string param)
    {
        var error = Refused(Enum.Parse<GatewayEndpoint>(endpoint), body);

        Assert.Equal(param, error.Param);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("""{"model":"sk-secret-value" "messages":[]}""")]
    [InlineData("""{"model":"sk-secret-value",""")]
    [InlineData("not json sk-secret-value")]
    [InlineData("""{"sk-secret-value":1,"sk-secret-value":2}""")]
    public void Parse_NotJson_RefusesWithoutQuotingContent(string body)
    {
        var error = Refused(GatewayEndpoint.ChatCompletions, body);

        Assert.Null(error.Param);
        Assert.StartsWith("The request body is not valid JSON: ", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void Parse_NotJson_SaysWhereTheReaderStopped()
    {
        var error = Refused(GatewayEndpoint.ChatCompletions, "{\"model\":\"m\",\n \"messages\": [}");

        Assert.Equal("The request body is not valid JSON: line 2, byte 15.", error.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void Parse_JsonNotAnObject_Refuses(string body)
    {
        var error = Refused(GatewayEndpoint.Messages, body);

        Assert.Null(error.Param);
        Assert.Equal("The request body must be a JSON object.", error.Message);
    }

    [Fact]
    public void Parse_BadContentValue_MessageDoesNotQuoteIt()
    {
        var error = Refused(GatewayEndpoint.ChatCompletions, """{"model":"m","messages":[{"role":"user","content":12345678}]}""");

        Assert.DoesNotContain("12345678", error.Message);
    }
}
