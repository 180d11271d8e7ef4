namespace CredentialBroker.IntegrationTests.Telemetry;

/// <summary>
/// Telemetry tests run alone. OpenTelemetry subscribes to meters and activity sources by name, process
/// wide: with other brokers starting and stopping in the same test process, a host's /metrics would
/// also carry their series and lose shared ones when they stop (a production process runs one host).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
