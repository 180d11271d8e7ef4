using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Reports;

/// <summary>Offboarding evidence on a database of its own: an owner deactivated through the broker.</summary>
public sealed class OffboardingEvidenceTests(ReportFixture fixture) : IClassFixture<ReportFixture>
{
    [Fact]
    public async Task Report_OwnerDeactivatedThroughTheBroker_OffboardingPassesUntilTheKeyIsUsedAfterwards()
    {
        var world = await fixture.SeedBoundedAsync();
        var credential = (await fixture.IssueAsync(world)).Credential;
        await fixture.Admin.DeactivateOwnerAsync(new DeactivateOwnerRequest { Id = world.Owner.Id, Reason = "left" }, fixture.AdminAuth);

        var report = await ReportAsync(world);
        var offboarding = report.Controls.Single(c => c.Id == "offboarding-revocation");
        Assert.DoesNotContain(offboarding.Findings, f => f.Contains(credential.Id, StringComparison.Ordinal));
        Assert.Contains("0 still live; longest 0 s", offboarding.Measured, StringComparison.Ordinal);

        await fixture.InsertUsageAsync(credential, fixture.Time.GetUtcNow().AddMinutes(5));
        await AssertFailsAsync(world, "offboarding-revocation", credential.Id);
    }

    private async Task<ComplianceReport> ReportAsync(World world) =>
        await fixture.Reports.GetComplianceReportAsync(new GetComplianceReportRequest(), BrokerFixture.Bearer(world.SecurityToken));

    private async Task AssertFailsAsync(World world, string control, string finding)
    {
        var report = await ReportAsync(world);
        var result = report.Controls.Single(c => c.Id == control);
        Assert.False(report.Passed);
        Assert.True(result.Status == "fail", $"{control} passed: {result.Measured}");
        Assert.Contains(result.Findings, f => f.Contains(finding, StringComparison.Ordinal));
    }
}
