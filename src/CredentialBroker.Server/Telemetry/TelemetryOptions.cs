namespace CredentialBroker.Server.Telemetry;

/// <summary>The <c>Broker:Telemetry</c> section: metrics (Prometheus, OTLP) and traces (OTLP).</summary>
public sealed class TelemetryOptions
{
    /// <summary>Metrics at <c>/metrics</c> and, with an OTLP endpoint, metrics and traces over OTLP. Log redaction is on regardless.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// OTLP collector (gRPC, e.g. <c>http://otel-collector:4317</c>) for traces and metrics. Unset: the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (and the other <c>OTEL_EXPORTER_OTLP_*</c> variables) apply; with neither,
    /// nothing is exported over OTLP and traces are not collected.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>service.name</c> of the broker's telemetry.</summary>
    public string ServiceName { get; set; } = "credentialbroker";
}
