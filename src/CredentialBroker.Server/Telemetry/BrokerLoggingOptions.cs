namespace CredentialBroker.Server.Telemetry;

/// <summary>The <c>Broker:Logging</c> section.</summary>
public sealed class BrokerLoggingOptions
{
    /// <summary>Console log format: <c>simple</c> (one readable line per event) or <c>json</c> (one JSON object per line, for log shippers). Secrets are redacted in both.</summary>
    public string Format { get; set; } = "simple";
}
