using CredentialBroker.Server.Anomalies;
using CredentialBroker.Server.Policy;

namespace CredentialBroker.UnitTests.Anomalies;

/// <summary>Builds a credential's activity minute by minute for the detector tests.</summary>
internal sealed class ActivityBuilder
{
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    private readonly List<ActivityMinute> _minutes = [];

    public Guid CredentialId { get; } = Guid.NewGuid();

    public RiskTier Tier { get; set; } = RiskTier.Internal;

    public Dictionary<string, long> Identities { get; } = [];

    public HashSet<string> RecentModels { get; } = ["gpt-4o-mini"];

    public HashSet<string> BaselineModels { get; } = ["gpt-4o-mini"];

    public List<CallSpan> Calls { get; } = [];

    public Dictionary<string, long> Prompts { get; } = [];

    /// <summary>One bucket per minute from <paramref name="minutesAgo"/> (exclusive of now) for <paramref name="count"/> minutes.</summary>
    public ActivityBuilder Minutes(int minutesAgo, int count, Func<int, long> requests, long tokensPerRequest = 100, long costPerRequest = 50, double errorShare = 0)
    {
        for (var i = 0; i < count; i++)
        {
            var r = requests(i);
            _minutes.Add(new ActivityMinute(Now.AddMinutes(-minutesAgo + i), r, r * tokensPerRequest, r * costPerRequest, (long)Math.Round(r * errorShare)));
        }

        return this;
    }

    public CredentialActivity Build() =>
        new(CredentialId, Tier, "spiffe://test/agent", Now, _minutes, Identities, RecentModels, BaselineModels, Calls, Prompts);
}
