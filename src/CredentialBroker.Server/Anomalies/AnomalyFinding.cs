namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// What a detector reports about one credential: the kind, a score (observed / threshold, so 1 is
/// the edge of normal) and non-secret evidence (figures, identities, fingerprints — never a key or a prompt).
/// </summary>
internal sealed record AnomalyFinding(Guid CredentialId, AnomalyKind Kind, double Score, IReadOnlyDictionary<string, string> Evidence, string Summary);
