namespace CredentialBroker.Server.Anomalies;

/// <summary>What is done about a finding, mildest first.</summary>
public enum AnomalyAction
{
    /// <summary>Record and notify only.</summary>
    Alert,

    /// <summary>Lower the credential's rate limits (<see cref="AnomalyOptions.NarrowFactor"/>).</summary>
    Narrow,

    /// <summary>Stop the credential until security reinstates it.</summary>
    Suspend,

    /// <summary>Revoke the credential for good.</summary>
    Revoke,
}
