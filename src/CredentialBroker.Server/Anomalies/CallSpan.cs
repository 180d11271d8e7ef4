namespace CredentialBroker.Server.Anomalies;

/// <summary>When one call was in flight (usage events record when it ended and how long it took).</summary>
internal readonly record struct CallSpan(DateTimeOffset Start, DateTimeOffset End);
