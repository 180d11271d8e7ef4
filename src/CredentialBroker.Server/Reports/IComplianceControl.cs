namespace CredentialBroker.Server.Reports;

/// <summary>
/// One governance control, checked against evidence in the data. Controls are registered in DI; the
/// report runs every one of them, so a feature adds its control without touching the report.
/// </summary>
internal interface IComplianceControl
{
    /// <summary>Stable id, e.g. <c>owner-and-purpose</c>.</summary>
    string Id { get; }

    /// <summary>What the control requires, in one sentence.</summary>
    string Title { get; }

    /// <summary>Framework references (NIST CSF 2.0, NIST AI RMF, OWASP NHI Top 10). The mapping is ours.</summary>
    IReadOnlyList<string> References { get; }

    Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken);
}

/// <summary>A control's verdict: what was measured against what passes, how, and the offending items (at most 20).</summary>
internal sealed record ControlOutcome(bool Passed, string Measured, string Threshold, string Evidence, IReadOnlyList<string> Findings);
