namespace CredentialBroker.Server.Anomalies;

/// <summary>Where a finding stands with security.</summary>
public enum AnomalyStatus
{
    Open,
    Acknowledged,
    Resolved,
}
