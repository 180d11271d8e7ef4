using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialBroker.Server.Approvals;

/// <summary>
/// A workload's approval to declare high-risk tools on calls for one purpose. Covers every
/// credential the workload holds for the purpose (renewals, restarts and new issues included).
/// </summary>
public sealed class ToolApproval
{
    public Guid Id { get; set; }
    public Guid WorkloadId { get; set; }
    public Guid PurposeId { get; set; }

    /// <summary>Tool names or glob patterns the approval covers.</summary>
    public List<string> Tools { get; set; } = [];

    public required string Justification { get; set; }
    public ApprovalState Status { get; set; }
    public TimeSpan RequestedTtl { get; set; }

    /// <summary>The requester in audit-actor form ("workload:...", "owner:...").</summary>
    public required string RequestedBy { get; set; }

    /// <summary>The owner the requester acts for: the two-person rule compares it with the reviewer's.</summary>
    public Guid? RequesterOwnerId { get; set; }

    public DateTimeOffset RequestedAt { get; set; }
    public string? DecidedBy { get; set; }
    public Guid? DecidedByOwnerId { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecisionNote { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Approved and not yet expired at <paramref name="now"/>.</summary>
    public bool IsLive(DateTimeOffset now) => Status == ApprovalState.Approved && ExpiresAt > now;
}

/// <summary>The state written on the row; "expired" is derived from <see cref="ToolApproval.ExpiresAt"/>.</summary>
public enum ApprovalState
{
    Pending,
    Approved,
    Denied,
}

internal sealed class ToolApprovalConfiguration : IEntityTypeConfiguration<ToolApproval>
{
    public void Configure(EntityTypeBuilder<ToolApproval> builder)
    {
        builder.ToTable("tool_approvals");
        builder.Property(a => a.Status).HasConversion(
            s => s == ApprovalState.Pending ? "pending" : s == ApprovalState.Approved ? "approved" : "denied",
            s => s == "pending" ? ApprovalState.Pending : s == "approved" ? ApprovalState.Approved : ApprovalState.Denied);
        builder.HasOne<Workload>().WithMany().HasForeignKey(a => a.WorkloadId);
        builder.HasOne<Purpose>().WithMany().HasForeignKey(a => a.PurposeId);
    }
}
