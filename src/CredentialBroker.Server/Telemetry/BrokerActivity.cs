using System.Diagnostics;

namespace CredentialBroker.Server.Telemetry;

/// <summary>The broker's own trace spans (the gateway's check pipeline).</summary>
internal static class BrokerActivity
{
    public const string SourceName = "CredentialBroker";

    public static ActivitySource Source { get; } = new(SourceName);
}
