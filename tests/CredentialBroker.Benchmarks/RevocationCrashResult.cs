namespace CredentialBroker.Benchmarks;

/// <summary>What the kill-during-marking scenario measured, and the checks it made afterwards.</summary>
internal sealed record RevocationCrashResult(
    long Seeded,
    long Matched,
    string KilledReplica,
    long MarkedBeforeKill,
    double KilledAfterSeconds,
    double StartupSeconds,
    double RestartSeconds,
    string ResumedBy,
    double? CompletedAfterKillSeconds,
    long MarkedCount,
    long RowsRevokedByIt,
    long StillActive,
    long CompletionAuditEvents,
    GatewayKeyPoller Poller)
{
    /// <summary>Marking resumed and finished, every covered row is revoked once, counted once, audited once, and the key was refused throughout.</summary>
    public bool Correct =>
        CompletedAfterKillSeconds is not null && MarkedBeforeKill > 0 && MarkedBeforeKill < Matched
        && MarkedCount == Matched && RowsRevokedByIt == Matched && StillActive == 0 && CompletionAuditEvents == 1 && Poller.Held;

    /// <summary>Why <see cref="Correct"/> is false, for the error line.</summary>
    public string Problems => string.Join("; ", new[]
    {
        CompletedAfterKillSeconds is null ? "marking did not complete after the restart" : null,
        MarkedBeforeKill == 0 || MarkedBeforeKill >= Matched ? $"the kill did not land mid-marking ({MarkedBeforeKill:N0} of {Matched:N0} marked before it)" : null,
        MarkedCount != Matched ? $"marked_count {MarkedCount:N0} ≠ matched {Matched:N0}" : null,
        RowsRevokedByIt != Matched ? $"{RowsRevokedByIt:N0} rows carry the revocation, {Matched:N0} matched" : null,
        StillActive != 0 ? $"{StillActive:N0} covered rows still active" : null,
        CompletionAuditEvents != 1 ? $"{CompletionAuditEvents} revocation.marking_completed audit events" : null,
        Poller.Held ? null : $"gateway: {Poller.Accepted} accepted, {Poller.Other} other, refusals {string.Join(", ", Poller.Refused.Select(r => $"{r.Key} {r.Value}"))}; {Poller.FirstUnexpected}",
    }.Where(p => p is not null));
}
