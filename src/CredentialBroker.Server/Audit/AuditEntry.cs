namespace CredentialBroker.Server.Audit;

/// <summary>What an audit event says; the log adds actor, time and request metadata.</summary>
public sealed record AuditEntry(string Action, string TargetType, string? TargetId, string? Reason = null, IReadOnlyDictionary<string, string>? Details = null);
