namespace CredentialBroker.Server.Identity;

/// <summary>An authenticated caller.</summary>
/// <param name="Role">What the caller may do.</param>
/// <param name="Actor">How the audit log names the caller; never a secret.</param>
/// <param name="OwnerId">The owner the caller acts for (owner tokens; a workload's owner).</param>
/// <param name="WorkloadId">The workload the caller is (workload role only).</param>
public sealed record Caller(BrokerRole Role, string Actor, Guid? OwnerId = null, Guid? WorkloadId = null)
{
    /// <summary>Used for audit events written before or without authentication.</summary>
    public static readonly Caller Anonymous = new(BrokerRole.Workload, "anonymous");

    public bool IsAnyOf(params ReadOnlySpan<BrokerRole> roles)
    {
        foreach (var role in roles)
        {
            if (Role == role)
            {
                return true;
            }
        }

        return false;
    }
}
