using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Reports;

/// <summary>Prints a compliance report: one line per control, then the findings of failed ones; or CSV / JSON.</summary>
public static class CompliancePrinter
{
    public static void Write(TextWriter writer, ComplianceReport report, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.Json:
                ProtoJson.Write(writer, report);
                return;
            case OutputFormat.Csv:
                var csv = new Csv("id", "status", "measured", "threshold", "references", "title", "evidence", "findings");
                foreach (var c in report.Controls)
                {
                    csv.Add(c.Id, c.Status, c.Measured, c.Threshold, string.Join("; ", c.References), c.Title, c.Evidence, string.Join("; ", c.Findings));
                }

                csv.Write(writer);
                return;
        }

        writer.WriteLine($"Compliance on {Display.Absolute(report.GeneratedAt)}, evidence window {Display.Span(report.EvidenceWindow)}: {(report.Passed ? "PASS" : "FAIL")}");
        writer.WriteLine();
        var table = new Table("CONTROL", "STATUS", "MEASURED", "THRESHOLD", "REFERENCES");
        foreach (var c in report.Controls)
        {
            table.Add(c.Id, c.Status.ToUpperInvariant(), c.Measured, c.Threshold, string.Join(", ", c.References));
        }

        table.Write(writer);
        foreach (var c in report.Controls.Where(c => c.Status != "pass"))
        {
            writer.WriteLine();
            writer.WriteLine($"{c.Id}: {c.Title}");
            foreach (var finding in c.Findings)
            {
                writer.WriteLine("  - " + finding);
            }
        }
    }
}
