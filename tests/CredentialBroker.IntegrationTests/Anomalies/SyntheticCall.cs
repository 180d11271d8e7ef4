namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>One synthetic metered call, as the gateway would have written it to usage_events.</summary>
public sealed record SyntheticCall(
    DateTimeOffset OccurredAt, Guid CredentialId, string Model, long InputTokens, long OutputTokens, long CostMicroUsd,
    string Outcome, int StatusCode, int LatencyMs, string? CallerIdentity, string? PromptFingerprint);
