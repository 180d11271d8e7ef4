using CredentialBroker.Server.Audit;

namespace CredentialBroker.Server.Reports.Controls;

/// <summary>The audit log, the evidence behind every other control, is complete and untampered.</summary>
internal sealed class AuditChainControl(AuditVerifier verifier) : IComplianceControl
{
    public string Id => "audit-chain";

    public string Title => "The audit log's hash chain verifies from its first event to its last.";

    public IReadOnlyList<string> References => ["NIST CSF 2.0 PR.PS-04", "NIST AI RMF GOVERN 1.5"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        var result = await verifier.VerifyAsync(cancellationToken);
        return new ControlOutcome(
            result.Ok,
            result.Ok
                ? $"{ControlContext.Count(result.Verified)} events verified"
                : $"broken at seq {result.BrokenSeq} (event {result.BrokenEventId}): {result.Problem}",
            "intact",
            "VerifyAuditChain over the whole sealed log: no gap in seq, every prev_hash links, every hash recomputes.",
            result.Ok ? [] : [$"seq {result.BrokenSeq}: {result.Problem}"]);
    }
}
