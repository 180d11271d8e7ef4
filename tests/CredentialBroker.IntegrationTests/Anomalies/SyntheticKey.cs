namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>A real credential the generator writes traffic for, and how busy it normally is.</summary>
/// <param name="PeakRequestsPerMinute">Requests per minute at the daily peak (midday); nights run at 15 % of it.</param>
/// <param name="PresentsIdentity">Whether its calls carry the workload's identity (JWT or mTLS) besides the key.</param>
public sealed record SyntheticKey(Guid CredentialId, Guid OwnerId, Guid PurposeId, Guid WorkloadId, string Identity, double PeakRequestsPerMinute, bool PresentsIdentity);
