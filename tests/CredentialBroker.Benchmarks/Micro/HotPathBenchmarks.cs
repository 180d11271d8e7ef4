using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.Benchmarks.Micro;

/// <summary>The per-call work of the gateway that needs no I/O: the key, the worst-case price, the request, the metered stream.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private static readonly ModelPrice[] _prices =
    [
        new("gpt-4o", 2_500_000, 1_250_000, 10_000_000, 16_384),
        new("gpt-4o-mini", 150_000, 75_000, 600_000, 16_384),
        new("gpt-4.1*", 2_000_000, 500_000, 8_000_000, 32_768),
        new("claude-sonnet-4*", 3_000_000, 300_000, 15_000_000, 64_000),
    ];

    private readonly TokenEstimator _estimator = new();
    private string _key = string.Empty;
    private byte[] _storedHash = [];
    private ReadOnlyMemory<byte> _chatBody;
    private byte[] _stream = [];

    [GlobalSetup]
    public void Setup()
    {
        _key = SecretKey.Generate(SecretKey.CredentialKind);
        _storedHash = SecretKey.Hash(_key);
        _chatBody = Encoding.UTF8.GetBytes(
            """
            {"model":"gpt-4o-mini","max_tokens":256,"messages":[
              {"role":"system","content":"You are a careful assistant that summarises support tickets in three sentences."},
              {"role":"user","content":"Customer reports that invoices generated after the 3rd of the month show the previous month's exchange rate; they attach two PDFs and ask for a corrected statement before Friday."}]}
            """);
        var sse = new StringBuilder();
        sse.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
        for (var i = 0; i < 50; i++)
        {
            sse.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token").Append(i).Append("\"}}]}\n\n");
        }

        sse.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":61,\"completion_tokens\":50,\"total_tokens\":111}}\n\n");
        sse.Append("data: [DONE]\n\n");
        _stream = Encoding.UTF8.GetBytes(sse.ToString());
    }

    [Benchmark(Description = "key: generate")]
    public string KeyGenerate() => SecretKey.Generate(SecretKey.CredentialKind);

    [Benchmark(Description = "key: shape + checksum")]
    public bool KeyParse() => SecretKey.IsWellFormed(_key, SecretKey.CredentialKind);

    [Benchmark(Description = "key: SHA-256 + constant-time compare")]
    public bool KeyVerify() => CryptographicOperations.FixedTimeEquals(SecretKey.Hash(_key), _storedHash);

    [Benchmark(Description = "budget: price lookup + worst-case cost")]
    public long WorstCase()
    {
        var price = Pricing.Find(_prices, "gpt-4.1-mini")!;
        return Pricing.Cost(price, 1_234, 0, price.MaxOutputTokens);
    }

    [Benchmark(Description = "request: parse + estimate input tokens")]
    public long RequestEstimate() => _estimator.EstimateInputTokens(ProviderRequest.Parse(GatewayEndpoint.ChatCompletions, _chatBody));

    [Benchmark(Description = "stream: SSE usage (52 events)")]
    public long StreamUsage()
    {
        var meter = new StreamUsageMeter(GatewayEndpoint.ChatCompletions);
        meter.Append(_stream);
        return meter.Reported?.OutputTokens ?? -1;
    }
}
