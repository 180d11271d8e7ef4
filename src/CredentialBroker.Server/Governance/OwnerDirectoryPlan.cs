namespace CredentialBroker.Server.Governance;

/// <summary>What a directory sync does (or, on a dry run, would do), by owner name.</summary>
internal sealed class OwnerDirectoryPlan(int listed)
{
    public int Listed { get; } = listed;
    public List<string> Created { get; } = [];
    public List<string> Updated { get; } = [];
    public List<string> Reappeared { get; } = [];
    public List<string> Missing { get; } = [];
    public List<string> Deactivated { get; } = [];

    public V1.SyncOwnerDirectoryResponse ToProto(bool dryRun) => new()
    {
        Listed = Listed,
        Created = { Created },
        Updated = { Updated },
        Reappeared = { Reappeared },
        Missing = { Missing },
        Deactivated = { Deactivated },
        DryRun = dryRun,
    };
}
