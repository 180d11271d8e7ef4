namespace CredentialBroker.Server.Governance;

/// <summary>A parsed directory export: its entries, or why it is rejected (then nothing may be applied).</summary>
internal sealed record OwnerDirectory(IReadOnlyList<OwnerDirectoryEntry> Entries, IReadOnlyList<(string Field, string Description)> Errors)
{
    /// <summary>All errors in one line, for logs and audit events.</summary>
    public string ErrorText => string.Join("; ", Errors.Select(e => $"{e.Field}: {e.Description}"));
}
