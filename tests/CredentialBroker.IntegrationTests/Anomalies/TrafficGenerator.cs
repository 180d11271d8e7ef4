using Npgsql;
using NpgsqlTypes;

namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>
/// Scripted, seeded traffic: a normal diurnal pattern per key (Poisson arrivals per minute, varied
/// prompts and a periodic health-check prompt, occasional provider errors, short latencies) and the
/// incidents the detectors must find — a spike, a leak (a second identity), a runaway loop and a
/// fan-out burst. Writes usage_events with binary COPY, as the gateway does.
/// </summary>
public sealed class TrafficGenerator(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>The diurnal rate at <paramref name="at"/>: a night floor of 15 %, a midday peak, in UTC.</summary>
    public static double RateAt(SyntheticKey key, DateTimeOffset at)
    {
        var hour = at.UtcDateTime.TimeOfDay.TotalHours;
        var day = Math.Max(0, Math.Sin(Math.PI * (hour - 6) / 12));
        return key.PeakRequestsPerMinute * (0.15 + (0.85 * day));
    }

    public IEnumerable<SyntheticCall> Normal(SyntheticKey key, DateTimeOffset from, DateTimeOffset to)
    {
        for (var minute = from; minute < to; minute = minute.AddMinutes(1))
        {
            var count = Poisson(RateAt(key, minute));
            for (var i = 0; i < count; i++)
            {
                var fingerprint = _random.NextDouble() < 0.05 ? Fingerprint(key.CredentialId, "health-check") : Fingerprint(key.CredentialId, _random.Next(1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                yield return Call(key, At(minute), fingerprint, key.PresentsIdentity ? key.Identity : null, error: _random.NextDouble() < 0.02);
            }
        }
    }

    /// <summary><paramref name="factor"/> times the normal rate on top of it, for <paramref name="duration"/>.</summary>
    public IEnumerable<SyntheticCall> Spike(SyntheticKey key, DateTimeOffset start, TimeSpan duration, double factor)
    {
        for (var minute = start; minute < start + duration; minute = minute.AddMinutes(1))
        {
            var count = Poisson(RateAt(key, minute) * (factor - 1));
            for (var i = 0; i < count; i++)
            {
                yield return Call(key, At(minute), Fingerprint(key.CredentialId, _random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)), key.PresentsIdentity ? key.Identity : null, error: false);
            }
        }
    }

    /// <summary>The key in a second caller's hands, presenting its own identity.</summary>
    public IEnumerable<SyntheticCall> Leak(SyntheticKey key, string otherIdentity, DateTimeOffset start, TimeSpan duration, double requestsPerMinute)
    {
        for (var minute = start; minute < start + duration; minute = minute.AddMinutes(1))
        {
            for (var i = Poisson(requestsPerMinute); i > 0; i--)
            {
                yield return Call(key, At(minute), Fingerprint(Guid.Empty, _random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)), otherIdentity, error: false);
            }
        }
    }

    /// <summary>An agent stuck resending one prompt.</summary>
    public IEnumerable<SyntheticCall> Loop(SyntheticKey key, DateTimeOffset start, TimeSpan duration, double requestsPerMinute)
    {
        var fingerprint = Fingerprint(key.CredentialId, "stuck");
        for (var minute = start; minute < start + duration; minute = minute.AddMinutes(1))
        {
            for (var i = Poisson(requestsPerMinute); i > 0; i--)
            {
                yield return Call(key, At(minute), fingerprint, key.PresentsIdentity ? key.Identity : null, error: false);
            }
        }
    }

    /// <summary><paramref name="calls"/> slow calls started within a few seconds: a fan-out burst.</summary>
    public IEnumerable<SyntheticCall> FanOut(SyntheticKey key, DateTimeOffset start, int calls, TimeSpan latency)
    {
        for (var i = 0; i < calls; i++)
        {
            var begin = start.AddMilliseconds(_random.Next(5_000));
            var call = Call(key, begin, Fingerprint(key.CredentialId, _random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)), key.PresentsIdentity ? key.Identity : null, error: false);
            yield return call with { OccurredAt = begin + latency, LatencyMs = (int)latency.TotalMilliseconds };
        }
    }

    public static async Task<int> WriteAsync(string connectionString, IReadOnlyList<SyntheticKey> keys, IEnumerable<SyntheticCall> calls)
    {
        var byId = keys.ToDictionary(k => k.CredentialId);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY usage_events (occurred_at, credential_id, owner_id, purpose_id, workload_id, provider_name, endpoint, model, status_code, outcome, streamed, " +
            "input_tokens, cached_input_tokens, output_tokens, cost_micro_usd, usage_source, latency_ms, caller_identity, call_depth, prompt_fingerprint) FROM STDIN (FORMAT BINARY)");
        var rows = 0;
        foreach (var c in calls)
        {
            var key = byId[c.CredentialId];
            await copy.StartRowAsync();
            await copy.WriteAsync(c.OccurredAt, NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(c.CredentialId, NpgsqlDbType.Uuid);
            await copy.WriteAsync(key.OwnerId, NpgsqlDbType.Uuid);
            await copy.WriteAsync(key.PurposeId, NpgsqlDbType.Uuid);
            await copy.WriteAsync(key.WorkloadId, NpgsqlDbType.Uuid);
            await copy.WriteAsync("synthetic", NpgsqlDbType.Text);
            await copy.WriteAsync("chat.completions", NpgsqlDbType.Text);
            await copy.WriteAsync(c.Model, NpgsqlDbType.Text);
            await copy.WriteAsync(c.StatusCode, NpgsqlDbType.Integer);
            await copy.WriteAsync(c.Outcome, NpgsqlDbType.Text);
            await copy.WriteAsync(false, NpgsqlDbType.Boolean);
            await copy.WriteAsync(c.InputTokens, NpgsqlDbType.Bigint);
            await copy.WriteAsync(0L, NpgsqlDbType.Bigint);
            await copy.WriteAsync(c.OutputTokens, NpgsqlDbType.Bigint);
            await copy.WriteAsync(c.CostMicroUsd, NpgsqlDbType.Bigint);
            await copy.WriteAsync("reported", NpgsqlDbType.Text);
            await copy.WriteAsync(c.LatencyMs, NpgsqlDbType.Integer);
            await WriteNullableAsync(copy, c.CallerIdentity);
            await copy.WriteAsync(0, NpgsqlDbType.Integer);
            await WriteNullableAsync(copy, c.PromptFingerprint);
            rows++;
        }

        await copy.CompleteAsync();
        return rows;
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null)
        {
            await copy.WriteNullAsync();
        }
        else
        {
            await copy.WriteAsync(value, NpgsqlDbType.Text);
        }
    }

    private SyntheticCall Call(SyntheticKey key, DateTimeOffset at, string fingerprint, string? identity, bool error)
    {
        var input = 200 + _random.Next(1_800);
        var output = error ? 0 : 50 + _random.Next(450);
        var latency = 400 + _random.Next(2_600);
        return new SyntheticCall(at, key.CredentialId, "gpt-4o-mini", input, output, error ? 0 : input + (output * 4),
            error ? "upstream_error" : "success", error ? 500 : 200, latency, identity, fingerprint);
    }

    private DateTimeOffset At(DateTimeOffset minute) => minute.AddMilliseconds(_random.Next(60_000));

    private static string Fingerprint(Guid credential, string prompt) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(credential + "/" + prompt)), 0, 8);

    /// <summary>Knuth's method; fine for the small rates used here.</summary>
    private int Poisson(double lambda)
    {
        if (lambda <= 0)
        {
            return 0;
        }

        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= _random.NextDouble();
        }
        while (p > limit);
        return k - 1;
    }
}
