using CredentialBroker.Server.Anomalies;

namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>An injected incident: which key, when, the kind that must find it and the other kinds that may rightly fire too.</summary>
public sealed record Incident(Guid CredentialId, AnomalyKind Kind, DateTimeOffset Start, DateTimeOffset End, params AnomalyKind[] AlsoAccepted)
{
    /// <summary>A finding explains this incident when it is of an accepted kind on its key, from its start to 20 minutes after its end.</summary>
    public bool Explains(Guid credentialId, AnomalyKind kind, DateTimeOffset detectedAt) =>
        credentialId == CredentialId && (kind == Kind || AlsoAccepted.Contains(kind)) && detectedAt >= Start && detectedAt <= End.AddMinutes(20);
}
