using System.Text;
using CredentialBroker.Server.Gateway;
using Microsoft.ML.Tokenizers;
using static CredentialBroker.UnitTests.Gateway.GatewayJson;

namespace CredentialBroker.UnitTests.Gateway;

public sealed class TokenEstimatorTests
{
    private const string ChatBody = """
        {"model":"gpt-4o-mini","messages":[
          {"role":"system","content":"You are a helpful assistant that answers in one sentence."},
          {"role":"user","content":[{"type":"text","text":"Explain the difference between TCP and UDP, with an example of each. Ünïcödé, 日本語, emoji 🚀."}]}],
         "tools":[{"type":"function","function":{"name":"lookup","description":"Look a word up","parameters":{"type":"object","properties":{"word":{"type":"string"}}}}}]}
        """;

    private static readonly TiktokenTokenizer _o200k = TiktokenTokenizer.CreateForEncoding("o200k_base");
    private readonly TokenEstimator _estimator = new();

    [Fact]
    public void EstimateInputTokens_OpenAIChat_IsTheRealCountWithOverheadAndFivePercentMargin()
    {
        var request = Parse(GatewayEndpoint.ChatCompletions, ChatBody);
        long real = request.Texts.Sum(t => _o200k.CountTokens(t));
        var exact = real + 4 * request.MessageCount + 3 + TokenEstimator.ToolPromptAllowance;

        var estimate = _estimator.EstimateInputTokens(request);

        Assert.Equal((long)Math.Ceiling(exact * 1.05m), estimate);
        Assert.True(estimate > real, $"{estimate} <= {real}");
    }

    [Fact]
    public void EstimateInputTokens_MediaPart_AddsTheAllowance()
    {
        const string withoutImage = """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""";
        const string withImage = """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"base64","data":"AAAA"}}]}]}""";

        var difference = _estimator.EstimateInputTokens(Parse(GatewayEndpoint.Messages, withImage))
            - _estimator.EstimateInputTokens(Parse(GatewayEndpoint.Messages, withoutImage));

        Assert.Equal(TokenEstimator.MediaPartAllowance, difference);
    }

    [Fact]
    public void EstimateInputTokens_Tools_AddThePromptAllowanceOnceAndBuiltInsEach()
    {
        const string noTools = """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[]}""";
        const string tools = """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[],"tools":[{"name":"a","input_schema":{}},{"name":"b","input_schema":{}},{"type":"bash_20250124","name":"bash"}]}""";
        var withTools = Parse(GatewayEndpoint.Messages, tools);
        var toolBytes = withTools.Texts.Sum(t => Encoding.UTF8.GetByteCount(t));

        var difference = _estimator.EstimateInputTokens(withTools) - _estimator.EstimateInputTokens(Parse(GatewayEndpoint.Messages, noTools));

        Assert.Equal(1, withTools.BuiltInToolCount);
        Assert.Equal(toolBytes + TokenEstimator.ToolPromptAllowance + TokenEstimator.BuiltInToolAllowance, difference);
    }

    [Fact]
    public void EstimateInputTokens_ClaudeModel_IsUtf8BytesPlusOverhead()
    {
        var request = Parse(GatewayEndpoint.Messages, """
            {"model":"claude-opus-4-1","max_tokens":100,"system":"Be kind.",
             "messages":[{"role":"user","content":"Grüße 🚀"},{"role":"assistant","content":"ok"}]}
            """);
        var bytes = Encoding.UTF8.GetByteCount("Be kind.") + Encoding.UTF8.GetByteCount("Grüße 🚀") + 2;

        Assert.Equal(bytes + 8 * 3 + 16, _estimator.EstimateInputTokens(request));
    }

    [Fact]
    public void EstimateInputTokens_TokenIdPrompt_CountsEachId()
    {
        var request = Parse(GatewayEndpoint.Embeddings, """{"model":"unknown-embedder","input":[[1,2,3],[4,5]]}""");

        Assert.Equal(5 + 8 * 2 + 16, _estimator.EstimateInputTokens(request));
    }

    [Theory]
    [InlineData("gpt-4o-mini")]
    [InlineData("claude-sonnet-4-5")]
    [InlineData("llama-3.1-70b")]
    [InlineData("gpt-4")]
    public void EstimateInputTokens_RandomWordPrompts_NeverBelowWordsPlusMessageOverhead(string model)
    {
        var random = new Random(20240611);
        string[] vocabulary = ["the", "cat", "naïve", "übermäßig", "λόγος", "数据", "token", "a", "I", "supercalifragilistic", "🙂", "x7", "-", "42"];
        for (var round = 0; round < 50; round++)
        {
            var messages = random.Next(1, 6);
            var words = 0;
            var json = new StringBuilder($$"""{"model":"{{model}}","messages":[""");
            for (var m = 0; m < messages; m++)
            {
                var count = random.Next(0, 200);
                words += count;
                var text = string.Join(" ", Enumerable.Range(0, count).Select(_ => vocabulary[random.Next(vocabulary.Length)]));
                json.Append(m > 0 ? "," : "").Append($$"""{"role":"user","content":"{{text}}"}""");
            }

            var request = Parse(GatewayEndpoint.ChatCompletions, json.Append("]}").ToString());

            Assert.True(_estimator.EstimateInputTokens(request) >= words + 3L * messages);
        }
    }

    [Theory]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("GPT-4.1-mini", "gpt-4o")]
    [InlineData("gpt-5-nano", "gpt-4o")]
    [InlineData("o1", "gpt-4o")]
    [InlineData("o3-mini", "gpt-4o")]
    [InlineData("o4-mini-deep-research", "gpt-4o")]
    [InlineData("chatgpt-4o-latest", "gpt-4o")]
    [InlineData("gpt-oss-120b", "gpt-4o")]
    [InlineData("codex-mini-latest", "gpt-4o")]
    [InlineData("ft:gpt-4o-mini:acme::abc123", "gpt-4o")]
    [InlineData("openai/gpt-4.1", "gpt-4o")]
    [InlineData("gpt-4", "gpt-4")]
    [InlineData("gpt-4-turbo", "gpt-4")]
    [InlineData("gpt-3.5-turbo", "gpt-4")]
    [InlineData("text-embedding-3-large", "gpt-4")]
    [InlineData("claude-sonnet-4-5", null)]
    [InlineData("o100-custom", null)]
    [InlineData("mistral-large", null)]
    public void TokenizerFor_ModelNames_PickTheirFamily(string model, string? sameAs)
    {
        var tokenizer = TokenEstimator.TokenizerFor(model);

        Assert.Same(sameAs is null ? null : TokenEstimator.TokenizerFor(sameAs), tokenizer);
        Assert.NotSame(TokenEstimator.TokenizerFor("gpt-4o"), TokenEstimator.TokenizerFor("gpt-4"));
    }

    [Fact]
    public void CountTokens_OpenAIModel_IsTheTokenizerCount()
    {
        const string text = "The quick brown fox jumps over the lazy dog.";

        Assert.Equal(_o200k.CountTokens(text), _estimator.CountTokens("gpt-4o", text));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("abc", 1)]
    [InlineData("abcd", 2)]
    [InlineData("日本", 2)]
    public void CountTokens_OtherModel_IsBytesOverThreeRoundedUp(string text, long expected) =>
        Assert.Equal(expected, _estimator.CountTokens("claude-haiku-4-5", text));

    [Fact]
    public void CountTokens_HugeRunWithoutWhitespace_CountsBytesInsteadOfTokenizing()
    {
        var blob = new string('q', 400_000);

        Assert.Equal(400_001, _estimator.CountTokens("gpt-4o", "intro " + blob) - _estimator.CountTokens("gpt-4o", "intro "));
    }

    [Fact]
    public void CountTokens_TextWithLongRuns_IsNeverBelowTheTokenizer()
    {
        var random = new Random(99);
        var alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=.,;-_ äöü日本";
        for (var round = 0; round < 20; round++)
        {
            var text = new StringBuilder();
            for (var piece = 0; piece < 6; piece++)
            {
                var length = random.Next(1, 3 * TokenEstimator.LongRunChars);
                text.Append(random.Next(3) == 0 ? new string(' ', length) : new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));
                text.Append(random.Next(2) == 0 ? " " : "\n");
            }

            var value = text.ToString();
            Assert.True(_estimator.CountTokens("gpt-4o", value) >= _o200k.CountTokens(value));
        }
    }

    [Fact]
    public void CountTokens_SpecialTokenInText_CountsItAsPlainText()
    {
        var asPlainText = _estimator.CountTokens("gpt-4o", "<|endoftext") + 1;

        Assert.True(_estimator.CountTokens("gpt-4o", "<|endoftext|>") >= asPlainText);
    }

    [Fact]
    public void CountTokens_ConcurrentFirstUse_GivesTheSameCount()
    {
        const string text = "Concurrent tokenizer use must be safe and deterministic.";
        var counts = new long[32];

        Parallel.For(0, counts.Length, i => counts[i] = new TokenEstimator().CountTokens(i % 2 == 0 ? "gpt-4o" : "gpt-4", text));

        Assert.Single(counts.Where((_, i) => i % 2 == 0).Distinct());
        Assert.Single(counts.Where((_, i) => i % 2 == 1).Distinct());
    }
}
