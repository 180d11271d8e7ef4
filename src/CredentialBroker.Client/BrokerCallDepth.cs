using System.Globalization;

namespace CredentialBroker.Client;

/// <summary>
/// How deep in a chain of agents the current work is, carried across calls in the
/// <c>Broker-Call-Depth</c> header so the gateway can refuse chains deeper than a purpose allows.
/// Work started directly by a workload is depth 0. An agent that serves a request reads the
/// header with <see cref="Enter(string?)"/>; its gateway calls then carry that depth
/// (<see cref="CredentialBrokerKeyHandler"/>), and its calls to other agents carry one more
/// (<see cref="BrokerCallDepthHandler"/>).
/// </summary>
public static class BrokerCallDepth
{
    /// <summary>The request header.</summary>
    public const string HeaderName = "Broker-Call-Depth";

    private static readonly AsyncLocal<int?> _current = new();

    /// <summary>The depth of the work in this async flow (0 unless entered).</summary>
    public static int Current => _current.Value ?? 0;

    /// <summary>Runs the rest of this async flow at <paramref name="depth"/>; dispose to restore the previous depth.</summary>
    public static IDisposable Enter(int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        var previous = _current.Value;
        _current.Value = depth;
        return new Restore(previous);
    }

    /// <summary>
    /// Runs the rest of this async flow at the depth an incoming request's header names (absent: 0).
    /// A header that is not a whole number is refused, so a caller cannot reset the count.
    /// </summary>
    public static IDisposable Enter(string? headerValue)
    {
        if (string.IsNullOrEmpty(headerValue))
        {
            return Enter(0);
        }

        if (!int.TryParse(headerValue, NumberStyles.None, CultureInfo.InvariantCulture, out var depth))
        {
            throw new FormatException($"The {HeaderName} header must be a whole number from 0 upwards.");
        }

        return Enter(depth);
    }

    private sealed class Restore(int? previous) : IDisposable
    {
        public void Dispose() => _current.Value = previous;
    }
}

/// <summary>
/// For HTTP clients that call other agents (not the gateway): sends the current depth plus one, so
/// the called agent's gateway calls count as one level deeper.
/// </summary>
public sealed class BrokerCallDepthHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(BrokerCallDepth.HeaderName);
        request.Headers.TryAddWithoutValidation(BrokerCallDepth.HeaderName, (BrokerCallDepth.Current + 1).ToString(CultureInfo.InvariantCulture));
        return base.SendAsync(request, cancellationToken);
    }
}
