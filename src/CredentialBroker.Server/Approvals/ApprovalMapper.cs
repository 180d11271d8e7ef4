using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Server.Approvals;

/// <summary>Approval rows to the wire, with the status as enforced now.</summary>
internal static class ApprovalMapper
{
    public static ApprovalStatus Status(ToolApproval a, DateTimeOffset now) => a.Status switch
    {
        ApprovalState.Pending => ApprovalStatus.Pending,
        ApprovalState.Denied => ApprovalStatus.Denied,
        _ => a.IsLive(now) ? ApprovalStatus.Approved : ApprovalStatus.Expired,
    };

    public static V1.ToolApproval ToProto(ToolApproval a, string workloadIdentity, string purposeName, DateTimeOffset now)
    {
        var proto = new V1.ToolApproval
        {
            Id = a.Id.ToString(),
            WorkloadId = a.WorkloadId.ToString(),
            PurposeId = a.PurposeId.ToString(),
            Tools = { a.Tools },
            Justification = a.Justification,
            Status = Status(a, now),
            RequestedBy = a.RequestedBy,
            RequestedAt = Timestamp.FromDateTimeOffset(a.RequestedAt),
            RequestedTtl = Duration.FromTimeSpan(a.RequestedTtl),
            DecidedBy = a.DecidedBy ?? string.Empty,
            DecisionNote = a.DecisionNote ?? string.Empty,
            WorkloadIdentity = workloadIdentity,
            Purpose = purposeName,
        };
        if (a.DecidedAt is { } decided)
        {
            proto.DecidedAt = Timestamp.FromDateTimeOffset(decided);
        }

        if (a.ExpiresAt is { } expires)
        {
            proto.ExpiresAt = Timestamp.FromDateTimeOffset(expires);
        }

        return proto;
    }
}
