using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Persistence;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Reports;

/// <summary>gRPC <c>ReportService</c>: inventory and the compliance report, from the broker's own data (security, admin).</summary>
internal sealed class ReportApi(
    NpgsqlDataSource dataSource,
    BrokerDbContext db,
    InventoryQuery inventory,
    IEnumerable<IComplianceControl> controls,
    IOptions<ComplianceOptions> options,
    TimeProvider time) : ReportService.ReportServiceBase
{
    private static readonly TimeSpan _defaultWindow = TimeSpan.FromDays(30);

    public override async Task<GetInventoryResponse> GetInventory(GetInventoryRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var unknown = request.GroupBy.Where(d => !InventoryQuery.Dimensions.ContainsKey(d)).ToList();
        if (unknown.Count > 0)
        {
            v.Add("group_by", $"unknown dimension '{RequestValidator.Clip(unknown[0])}'; use owner, purpose, provider or risk_tier");
        }

        var window = v.Duration("spend_window", request.SpendWindow, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3660)) ?? _defaultWindow;
        v.ThrowIfInvalid();
        var groupBy = request.GroupBy.Count == 0
            ? InventoryQuery.Dimensions.Keys.ToList()
            : InventoryQuery.Dimensions.Keys.Where(request.GroupBy.Contains).ToList();
        var now = time.GetUtcNow();
        var (groups, total) = await inventory.RunAsync(groupBy, now, window, context.CancellationToken);
        var (shadow, irrevocable) = await inventory.UnaccountedKeysAsync(now - window, context.CancellationToken);
        return new GetInventoryResponse
        {
            ShadowKeys = shadow,
            IrrevocableKeys = irrevocable,
            GeneratedAt = Timestamp.FromDateTimeOffset(now),
            GroupBy = { groupBy },
            SpendWindow = Duration.FromTimeSpan(window),
            Groups = { groups },
            Total = total,
        };
    }

    public override async Task<ComplianceReport> GetComplianceReport(GetComplianceReportRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var window = v.Duration("evidence_window", request.EvidenceWindow, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3660)) ?? _defaultWindow;
        v.ThrowIfInvalid();
        var now = time.GetUtcNow();
        var controlContext = new ControlContext(dataSource, db, now, window, options.Value);
        var report = new ComplianceReport
        {
            GeneratedAt = Timestamp.FromDateTimeOffset(now),
            EvidenceWindow = Duration.FromTimeSpan(window),
        };
        foreach (var control in controls)
        {
            var outcome = await control.EvaluateAsync(controlContext, context.CancellationToken);
            report.Controls.Add(new ControlResult
            {
                Id = control.Id,
                Title = control.Title,
                References = { control.References },
                Status = outcome.Passed ? "pass" : "fail",
                Measured = outcome.Measured,
                Threshold = outcome.Threshold,
                Evidence = outcome.Evidence,
                Findings = { outcome.Findings },
            });
        }

        report.Passed = report.Controls.All(c => c.Status == "pass");
        return report;
    }
}
