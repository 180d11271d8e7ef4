using Npgsql;
using NpgsqlTypes;

namespace CredentialBroker.Benchmarks;

/// <summary>
/// Synthetic metered calls that look like production traffic: a few credentials make most of the
/// calls (Zipf), each provider's models in realistic shares, log-normal prompt and completion sizes,
/// prompt caching on some calls, priced with dev mode's price table, a few failed and cut-off calls.
/// Rows are written with exactly the column list the gateway's usage writer copies.
/// </summary>
internal sealed class UsageTraffic
{
    /// <summary>The gateway usage writer's COPY statement (Gateway/UsageRecorder), target table left open.</summary>
    public const string CopyColumns =
        "(occurred_at, credential_id, owner_id, purpose_id, workload_id, provider_name, endpoint, model, status_code, outcome, streamed, " +
        "input_tokens, cached_input_tokens, output_tokens, cost_micro_usd, usage_source, latency_ms, caller_identity, call_depth, reservation_id, prompt_fingerprint) FROM STDIN (FORMAT BINARY)";

    // Model, share of the provider's calls, micro-USD per million input / cached input / output tokens (dev mode's prices).
    private static readonly (string Model, double Share, long Input, long Cached, long Output)[] OpenAi =
    [
        ("gpt-4o-mini", 0.55, 150_000, 75_000, 600_000), ("gpt-4.1", 0.2, 2_000_000, 500_000, 8_000_000),
        ("gpt-4.1-mini", 0.15, 2_000_000, 500_000, 8_000_000), ("text-embedding-3-small", 0.1, 20_000, 0, 0),
    ];

    private static readonly (string Model, double Share, long Input, long Cached, long Output)[] Anthropic =
    [
        ("claude-sonnet-4", 0.45, 3_000_000, 300_000, 15_000_000), ("claude-haiku-4", 0.55, 1_000_000, 100_000, 5_000_000),
    ];

    private readonly IReadOnlyList<UsageCredential> _credentials;
    private readonly double[] _cumulative;
    private readonly Random _random;

    public UsageTraffic(UsageWorld world, int seed)
    {
        _credentials = world.Credentials;
        _random = new Random(seed);
        // Zipf (s = 1) over the credentials in their listed order: the first makes ~12 % of all calls.
        _cumulative = new double[_credentials.Count];
        var sum = 0.0;
        for (var i = 0; i < _cumulative.Length; i++)
        {
            sum += 1.0 / (i + 1);
            _cumulative[i] = sum;
        }

        for (var i = 0; i < _cumulative.Length; i++)
        {
            _cumulative[i] /= sum;
        }
    }

    /// <summary>Writes one call that happened at <paramref name="at"/> as a row of the usage writer's COPY.</summary>
    public void WriteRow(NpgsqlBinaryImporter copy, DateTimeOffset at)
    {
        var index = Array.BinarySearch(_cumulative, _random.NextDouble());
        var credential = _credentials[Math.Min(_credentials.Count - 1, index < 0 ? ~index : index)];
        var models = credential.Provider == "anthropic" ? Anthropic : OpenAi;
        var pick = _random.NextDouble();
        var m = 0;
        while (m < models.Length - 1 && (pick -= models[m].Share) > 0)
        {
            m++;
        }

        var (model, _, inputPrice, cachedPrice, outputPrice) = models[m];
        var embedding = model.StartsWith("text-embedding", StringComparison.Ordinal);
        var fate = _random.NextDouble();
        var failed = fate < 0.015;
        var cutOff = !failed && !embedding && fate < 0.02;
        var streamed = !embedding && (cutOff || _random.NextDouble() < 0.35);
        var input = failed ? 0 : LogNormal(embedding ? 300 : 900, 1.1, 128_000);
        var cached = input > 1024 && _random.NextDouble() < 0.3 ? (long)(input * (0.2 + 0.7 * _random.NextDouble())) : 0;
        var output = failed || embedding ? 0 : LogNormal(220, 0.9, 16_000) / (cutOff ? 3 : 1);
        var cost = ((input - cached) * inputPrice + cached * cachedPrice + output * outputPrice) / 1_000_000;

        copy.StartRow();
        copy.Write(at, NpgsqlDbType.TimestampTz);
        copy.Write(credential.Id, NpgsqlDbType.Uuid);
        copy.Write(credential.OwnerId, NpgsqlDbType.Uuid);
        copy.Write(credential.PurposeId, NpgsqlDbType.Uuid);
        copy.Write(credential.WorkloadId, NpgsqlDbType.Uuid);
        copy.Write(credential.Provider, NpgsqlDbType.Text);
        copy.Write(embedding ? "embeddings" : "chat.completions", NpgsqlDbType.Text);
        copy.Write(model, NpgsqlDbType.Text);
        copy.Write(failed ? (fate < 0.005 ? 429 : 500) : 200, NpgsqlDbType.Integer);
        copy.Write(failed ? "upstream_error" : cutOff ? "client_disconnected" : "success", NpgsqlDbType.Text);
        copy.Write(streamed, NpgsqlDbType.Boolean);
        copy.Write(input, NpgsqlDbType.Bigint);
        copy.Write(cached, NpgsqlDbType.Bigint);
        copy.Write(output, NpgsqlDbType.Bigint);
        copy.Write(cost, NpgsqlDbType.Bigint);
        copy.Write(failed ? "none" : cutOff ? "estimated" : "reported", NpgsqlDbType.Text);
        copy.Write((int)(120 + output * 9 * (0.5 + _random.NextDouble())), NpgsqlDbType.Integer);
        copy.WriteNull();
        copy.Write(credential.Depth, NpgsqlDbType.Integer);
        copy.WriteNull();
        copy.WriteNull();
    }

    /// <summary>Relative traffic of the UTC hour starting at <paramref name="hour"/>: a working-day peak, quieter nights and weekends.</summary>
    public static double HourWeight(DateTimeOffset hour)
    {
        var fromPeak = hour.Hour - 14;
        var weight = 0.15 + Math.Exp(-fromPeak * fromPeak / 32.0);
        return hour.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? weight * 0.4 : weight;
    }

    private long LogNormal(double median, double sigma, long max)
    {
        // Box-Muller: one standard normal from two uniforms.
        var normal = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
        return Math.Clamp((long)(median * Math.Exp(sigma * normal)), 1, max);
    }
}
