namespace CredentialBroker.Server.Governance;

/// <summary>One owner as the directory lists it.</summary>
internal sealed record OwnerDirectoryEntry(string Name, string Email, string? ExternalId);
