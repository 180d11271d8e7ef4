using CredentialBroker.Client.Internal;

namespace CredentialBroker.Client.Tests.Internal;

public sealed class BackoffTests
{
    [Fact]
    public void FullJitter_StaysWithinExponentialCeilingAndCap()
    {
        var random = new Random(42);
        var baseDelay = TimeSpan.FromMilliseconds(100);
        var cap = TimeSpan.FromSeconds(2);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var ceiling = TimeSpan.FromTicks(Math.Min(cap.Ticks, baseDelay.Ticks << attempt));
            var delays = Enumerable.Range(0, 200).Select(_ => Backoff.FullJitter(attempt, baseDelay, cap, random)).ToList();
            Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, ceiling));
            // Full jitter spreads over the whole range, not just near the ceiling.
            Assert.Contains(delays, d => d < ceiling / 4);
            Assert.Contains(delays, d => d > ceiling * 3 / 4);
        }
    }
}
