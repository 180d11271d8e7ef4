using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Reports.Controls;

/// <summary>Purposes with live credentials name the models they need and bound spend or rate.</summary>
internal sealed class LeastPrivilegeControl : IComplianceControl
{
    public string Id => "least-privilege";

    public string Title => "Every purpose with live credentials names its models and sets a rate limit or budget.";

    public IReadOnlyList<string> References => ["OWASP NHI-5", "NIST AI RMF GOVERN 1.3", "NIST CSF 2.0 GV.RM-01"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        var ids = await context.RowsAsync(
            $"SELECT DISTINCT c.purpose_id FROM credentials c WHERE {LiveCredentials.Predicate}", r => r.GetGuid(0), cancellationToken);
        var purposes = await context.Db.Purposes.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(cancellationToken);
        var ownerIds = purposes.Select(p => p.OwnerId).Distinct().ToList();
        var owners = await context.Db.Owners.AsNoTracking().Where(o => ownerIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
        var findings = new List<string>();
        foreach (var purpose in purposes.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var problems = new List<string>();
            if (purpose.AllowedModels.Count == 0 || purpose.AllowedModels.Any(m => m == "*"))
            {
                problems.Add("any model allowed");
            }

            if (purpose.Gateway.CredentialLimits.IsEmpty && purpose.Gateway.PurposeLimits.IsEmpty
                && (!owners.TryGetValue(purpose.OwnerId, out var owner) || owner.Limits.IsEmpty))
            {
                problems.Add("no rate limit or budget on the credential, purpose or owner");
            }

            if (problems.Count > 0)
            {
                findings.Add($"purpose {purpose.Name} ({purpose.Id}): {string.Join("; ", problems)}");
            }
        }

        return new ControlOutcome(
            findings.Count == 0,
            $"{ControlContext.Count(findings.Count)} of {ControlContext.Count(purposes.Count)} purposes with live credentials over-privileged",
            "0",
            "Each purpose with live credentials: its model allowance (empty or '*' allows every model) and its limits — per-credential and per-purpose rate limits and budgets, and the owner's.",
            findings.Take(ControlContext.MaxFindings).ToList());
    }
}
