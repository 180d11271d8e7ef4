namespace CredentialBroker.Benchmarks;

/// <summary>What the scenarios with broker server processes measured; null where they did not run.</summary>
internal sealed record ProcessResults(RevocationCrashResult? Crash, GatewayReplicas? Replicas);
