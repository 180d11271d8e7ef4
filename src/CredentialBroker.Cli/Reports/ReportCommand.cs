using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Reports;

/// <summary><c>report compliance</c>: governance controls checked against the data, exit code 5 when one fails.</summary>
public static class ReportCommand
{
    public static Command Create(CliEnvironment env) => new("report", """
        Reports computed from the broker's data

        Examples:
          brokerctl report compliance
          brokerctl report compliance -o json > compliance.json || exit 1
        """)
    {
        CreateCompliance(env),
    };

    private static Command CreateCompliance(CliEnvironment env)
    {
        var window = new Option<TimeSpan?>("--evidence-window") { Description = "Activity the controls look at, up to now (default 30d)", CustomParser = DurationParser.ParseArgument };
        var command = new Command("compliance", """
            Check governance controls against evidence in the data (exit code 5 when one fails)

            Controls map to NIST CSF 2.0 GV.RM-01, NIST AI RMF GOVERN and OWASP NHI-1/2/5/7/9; each shows what was
            measured, what passes, how the evidence was taken and up to 20 offending items. Needs the security or
            admin role. Use it to gate a pipeline: the exit code is 0 when every control passes.

            Examples:
              brokerctl report compliance
              brokerctl report compliance --evidence-window 7d -o csv
            """)
        {
            window,
        };
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var request = new GetComplianceReportRequest();
            if (parse.GetValue(window) is { } w)
            {
                request.EvidenceWindow = Duration.FromTimeSpan(w);
            }

            var report = await new ReportService.ReportServiceClient(ctx.CreateInvoker()).GetComplianceReportAsync(request, cancellationToken: ct);
            CompliancePrinter.Write(ctx.Out, report, ctx.Format);
            if (!report.Passed)
            {
                ctx.Error.WriteLine($"compliance: {report.Controls.Count(c => c.Status != "pass")} of {report.Controls.Count} controls failed");
                return ExitCodes.ControlFailed;
            }

            return ExitCodes.Ok;
        }, csv: true);
        return command;
    }
}
