using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Reports;

/// <summary>
/// One database, violations added one at a time: each must fail exactly its own control and name the
/// offending item, and the report must pass before any of them.
/// </summary>
public sealed class ComplianceReportTests(ReportFixture fixture) : IClassFixture<ReportFixture>
{
    [Fact]
    public async Task Report_EachViolation_FailsItsControlAndNamesTheItem()
    {
        var world = await fixture.SeedBoundedAsync();
        var credential = (await fixture.IssueAsync(world)).Credential;
        await fixture.InsertUsageAsync(credential, fixture.Time.GetUtcNow().AddMinutes(-5), callerIdentity: world.Workload.Identity);

        var clean = await ReportAsync(world);
        Assert.True(clean.Passed, string.Join("\n", clean.Controls.Where(c => c.Status != "pass").Select(c => $"{c.Id}: {c.Measured} {string.Join(", ", c.Findings)}")));
        Assert.Equal(["owner-and-purpose", "offboarding-revocation", "lifetime-by-tier", "no-stale-credentials", "single-identity", "least-privilege", "high-risk-tools-approved", "upstream-keys-accounted", "secret-storage", "audit-chain"], clean.Controls.Select(c => c.Id));
        Assert.All(clean.Controls, c => Assert.NotEmpty(c.References));

        // OWASP NHI-9: the key presented by an identity other than its workload.
        await fixture.InsertUsageAsync(credential, fixture.Time.GetUtcNow().AddMinutes(-1), callerIdentity: "spiffe://elsewhere/leaked");
        await AssertFailsAsync(world, "single-identity", credential.Id);

        // OWASP NHI-7: a credential that can be renewed for 60 days (internal allows 30).
        var longLived = (await fixture.IssueAsync(world)).Credential;
        await fixture.ExecuteAsync($"UPDATE credentials SET max_expires_at = issued_at + interval '60 days' WHERE id = '{longLived.Id}'");
        await AssertFailsAsync(world, "lifetime-by-tier", longLived.Id);

        // Stale: a live credential last used 40 days ago (internal allows 30).
        var unused = (await fixture.IssueAsync(world)).Credential;
        await fixture.ExecuteAsync($"UPDATE credentials SET issued_at = issued_at - interval '41 days', last_used_at = '{fixture.Time.GetUtcNow().AddDays(-40):O}' WHERE id = '{unused.Id}'");
        await AssertFailsAsync(world, "no-stale-credentials", unused.Id);

        // OWASP NHI-5: a purpose that allows any model and sets no limit.
        var unbounded = await fixture.SeedAsync(p => p.AllowedModels.Clear());
        await fixture.IssueAsync(unbounded);
        await AssertFailsAsync(world, "least-privilege", unbounded.Purpose.Name);

        // Two-person rule: an approval of a high-risk tool decided by its own requester (written behind the API's back).
        var approval = Guid.NewGuid();
        await fixture.ExecuteAsync($"""
            INSERT INTO tool_approvals (id, workload_id, purpose_id, tools, justification, status, requested_ttl, requested_by, requested_at, decided_by, decided_at, expires_at)
            VALUES ('{approval}', '{world.Workload.Id}', '{world.Purpose.Id}', ARRAY['shell_exec'], 'test', 'approved', interval '1 day', 'owner:alice',
                    '{fixture.Time.GetUtcNow():O}', 'owner:alice', '{fixture.Time.GetUtcNow():O}', '{fixture.Time.GetUtcNow().AddDays(1):O}')
            """);
        await AssertFailsAsync(world, "high-risk-tools-approved", approval.ToString());

        // Shadow key: a provider key the reconcile job found upstream that no credential accounts for.
        await fixture.ExecuteAsync($"""
            INSERT INTO shadow_keys (provider_id, upstream_id, name, first_seen, last_seen)
            VALUES ('{world.Provider.Id}', 'svc_acct_shadow1', 'left-over', '{fixture.Time.GetUtcNow():O}', '{fixture.Time.GetUtcNow():O}')
            """);
        await AssertFailsAsync(world, "upstream-keys-accounted", "svc_acct_shadow1");

        // OWASP NHI-1: an owner marked inactive behind the broker's back, its credential still live.
        var orphan = await fixture.SeedBoundedAsync();
        var orphaned = (await fixture.IssueAsync(orphan)).Credential;
        await fixture.ExecuteAsync($"UPDATE owners SET active = false, deactivated_at = '{fixture.Time.GetUtcNow():O}' WHERE id = '{orphan.Owner.Id}'");
        await AssertFailsAsync(world, "owner-and-purpose", orphaned.Id);
        await AssertFailsAsync(world, "offboarding-revocation", orphaned.Id);

        // OWASP NHI-2: an issued key written into the audit log.
        await fixture.ExecuteAsync($"""
            INSERT INTO audit_events (occurred_at, actor, action, target_type, outcome, reason)
            VALUES (now(), 'test', 'test.leak', 'credential', 'success', 'pasted cbk_{new string('A', 38)} by mistake')
            """);
        await AssertFailsAsync(world, "secret-storage", "test.leak");
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
