namespace CredentialBroker.Simulator;

/// <summary>
/// Behaviour of the simulated provider. Read on every request, so a change applies to the requests
/// that arrive after it (tests slow a stream down this way).
/// </summary>
public sealed class SimulatedProviderOptions
{
    private int _defaultOutputTokens = 16;
    private TimeSpan _delayPerToken = TimeSpan.Zero;

    /// <summary>Output tokens when the request sets no maximum (default 16). Must not be negative.</summary>
    public int DefaultOutputTokens
    {
        get => _defaultOutputTokens;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _defaultOutputTokens = value;
        }
    }

    /// <summary>
    /// Delay before each streamed token (default zero), simulating generation speed. Measured with the
    /// host's <see cref="TimeProvider"/> when it registers one. Must not be negative.
    /// </summary>
    public TimeSpan DelayPerToken
    {
        get => _delayPerToken;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _delayPerToken = value;
        }
    }
}
