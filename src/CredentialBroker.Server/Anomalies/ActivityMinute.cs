namespace CredentialBroker.Server.Anomalies;

/// <summary>One credential's usage in one minute (a bucket of usage events).</summary>
internal readonly record struct ActivityMinute(DateTimeOffset Minute, long Requests, long Tokens, long CostMicroUsd, long Errors);
