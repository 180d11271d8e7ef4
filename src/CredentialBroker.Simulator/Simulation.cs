using System.Globalization;

namespace CredentialBroker.Simulator;

/// <summary>
/// The deterministic model behind every route: output length, output text, prompt caching, ids and
/// generation speed. The rules are documented for callers on <see cref="SimulatedProviderEndpoints.MapSimulatedProvider"/>.
/// </summary>
internal sealed class Simulation(SimulatedProviderOptions options, TimeProvider time)
{
    /// <summary>Input tokens from which a prompt counts as cached.</summary>
    public const int CachingThreshold = 2048;

    /// <summary>Cached input tokens reported once <see cref="CachingThreshold"/> is reached.</summary>
    public const int CachedTokensWhenCaching = 1024;

    private long _sequence;

    /// <summary>Numbers ids (<c>chatcmpl-sim-1</c>, <c>msg_sim_2</c>, ...), unique per mapped simulator.</summary>
    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public long UnixNow() => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The request's maximum when it sets one, else the configured default.</summary>
    public int OutputTokens(int? requestedMaximum) => requestedMaximum ?? options.DefaultOutputTokens;

    public static int CachedTokens(int inputTokens) => inputTokens >= CachingThreshold ? CachedTokensWhenCaching : 0;

    /// <summary>Token <paramref name="index"/> of the output: <c>sim0</c>, <c>sim1</c>, ...</summary>
    public static string Token(int index) => "sim" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>What a stream sends for token <paramref name="index"/>: the word, after a space unless it is the first.</summary>
    public static string Delta(int index) => index == 0 ? Token(0) : " " + Token(index);

    /// <summary>The whole output: <paramref name="tokens"/> words joined by single spaces.</summary>
    public static string Text(int tokens) => string.Join(' ', Enumerable.Range(0, tokens).Select(Token));

    /// <summary>Waits <see cref="SimulatedProviderOptions.DelayPerToken"/>; stops as soon as the client goes away.</summary>
    public Task BeforeTokenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var delay = options.DelayPerToken;
        return delay > TimeSpan.Zero ? Task.Delay(delay, time, cancellationToken) : Task.CompletedTask;
    }
}
