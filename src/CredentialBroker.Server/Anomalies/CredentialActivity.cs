using CredentialBroker.Server.Policy;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// What the detectors judge about one credential at <see cref="Now"/>: per-minute buckets over the
/// baseline and the recent window (minutes without calls are simply absent), and the recent
/// window's identities, models, call spans and repeated prompt fingerprints.
/// </summary>
internal sealed record CredentialActivity(
    Guid CredentialId,
    RiskTier Tier,
    string WorkloadIdentity,
    DateTimeOffset Now,
    IReadOnlyList<ActivityMinute> Minutes,
    IReadOnlyDictionary<string, long> RecentIdentities,
    IReadOnlyCollection<string> RecentModels,
    IReadOnlyCollection<string> BaselineModels,
    IReadOnlyList<CallSpan> RecentCalls,
    IReadOnlyDictionary<string, long> RepeatedPrompts);
