using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Approvals;

/// <summary>Prints approvals as a table, a detail view or JSON.</summary>
public static class ApprovalPrinter
{
    public static void WriteList(TextWriter writer, IReadOnlyList<ToolApproval> approvals, OutputFormat format, TimeProvider time)
    {
        if (format == OutputFormat.Json)
        {
            ProtoJson.WriteArray(writer, approvals);
            return;
        }

        var table = new Table("ID", "WORKLOAD", "PURPOSE", "TOOLS", "STATUS", "REQUESTED BY", "EXPIRES");
        foreach (var a in approvals)
        {
            table.Add(a.Id, a.WorkloadIdentity, a.Purpose, string.Join(",", a.Tools), Status(a.Status), a.RequestedBy,
                a.ExpiresAt is null ? "-" : Display.When(a.ExpiresAt, time));
        }

        table.Write(writer);
    }

    public static void WriteOne(TextWriter writer, ToolApproval a, OutputFormat format, TimeProvider time)
    {
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(writer, a);
            return;
        }

        var rows = new List<(string, string)>
        {
            ("id", a.Id),
            ("workload", $"{a.WorkloadIdentity} ({a.WorkloadId})"),
            ("purpose", $"{a.Purpose} ({a.PurposeId})"),
            ("tools", string.Join(", ", a.Tools)),
            ("status", Status(a.Status)),
            ("justification", a.Justification),
            ("requested by", a.RequestedBy),
            ("requested", Display.When(a.RequestedAt, time)),
        };
        if (a.DecidedBy.Length > 0)
        {
            rows.Add(("decided by", a.DecidedBy));
            rows.Add(("decided", Display.When(a.DecidedAt, time)));
            rows.Add(("note", a.DecisionNote));
        }

        if (a.ExpiresAt is not null)
        {
            rows.Add(("expires", Display.When(a.ExpiresAt, time)));
        }

        var width = rows.Max(r => r.Item1.Length);
        foreach (var (key, value) in rows)
        {
            writer.WriteLine($"{(key + ":").PadRight(width + 2)}{value}");
        }
    }

    public static string Status(ApprovalStatus status) => status switch
    {
        ApprovalStatus.Pending => "pending",
        ApprovalStatus.Approved => "approved",
        ApprovalStatus.Denied => "denied",
        ApprovalStatus.Expired => "expired",
        _ => "unknown",
    };
}
