namespace CredentialBroker.Server.Reports.Controls;

/// <summary>An offboarded owner's credentials stop working at once, and are not used afterwards.</summary>
internal sealed class OffboardingControl : IComplianceControl
{
    // Credentials live when their owner was deactivated, and when that stopped: the earliest of the
    // covering mass revocation, an individual revocation and expiry (later than now: still live).
    private const string Stopped =
        """
        SELECT c.id, o.name, o.deactivated_at,
               least(coalesce(w.effective_at, 'infinity'), coalesce(c.revoked_at, 'infinity'), c.expires_at) AS stopped_at
        FROM owners o
        JOIN credentials c ON c.owner_id = o.id
        LEFT JOIN revocation_watermarks w
               ON w.id = credential_watermark(c.owner_id, c.purpose_id, c.provider_name, c.workload_id, c.issued_at, c.labels)
        WHERE NOT o.active AND o.deactivated_at >= $2
          AND c.issued_at <= o.deactivated_at AND c.expires_at > o.deactivated_at
          AND (c.revoked_at IS NULL OR c.revoked_at > o.deactivated_at)
        """;

    // Calls that started after the owner was deactivated (a call in flight at that moment may finish).
    private const string UsedAfter =
        """
        FROM usage_events u JOIN owners o ON o.id = u.owner_id
        WHERE NOT o.active AND o.deactivated_at >= $2 AND u.occurred_at >= $2
          AND u.occurred_at - make_interval(secs => u.latency_ms / 1000.0) > o.deactivated_at
        """;

    public string Id => "offboarding-revocation";

    public string Title => "Credentials of a deactivated owner are revoked within the offboarding limit and never used afterwards.";

    public IReadOnlyList<string> References => ["OWASP NHI-1", "NIST AI RMF GOVERN 1.7", "NIST CSF 2.0 GV.RM-01"];

    public async Task<ControlOutcome> EvaluateAsync(ControlContext context, CancellationToken cancellationToken)
    {
        var limit = context.Options.OffboardingMaxDelay;
        var rows = await context.RowsAsync(
            $"SELECT id, name, extract(epoch FROM greatest(stopped_at, deactivated_at) - deactivated_at)::float8, stopped_at > $1 FROM ({Stopped}) s ORDER BY 4 DESC, 3 DESC",
            r => (Id: r.GetGuid(0), Owner: r.GetString(1), Delay: TimeSpan.FromSeconds(r.GetDouble(2)), StillLive: r.GetBoolean(3)), cancellationToken);
        var owners = await context.ScalarAsync<long>("SELECT count(*) FROM owners WHERE NOT active AND deactivated_at >= $2", cancellationToken);
        var usedAfter = await context.ScalarAsync<long>($"SELECT count(*) {UsedAfter}", cancellationToken);
        var slow = rows.Where(r => r.StillLive || r.Delay > limit).ToList();
        var findings = slow.Take(ControlContext.MaxFindings)
            .Select(r => r.StillLive
                ? $"{r.Id} (owner {r.Owner}: still live after deactivation)"
                : $"{r.Id} (owner {r.Owner}: stopped {ControlContext.Span(r.Delay)} after deactivation)").ToList();
        if (usedAfter > 0)
        {
            findings.AddRange(await context.FindingsAsync(
                $"SELECT u.credential_id || ' (owner ' || o.name || ': used at ' || u.occurred_at || ', after deactivation)' {UsedAfter} ORDER BY u.occurred_at", cancellationToken));
        }

        var stopped = rows.Where(r => !r.StillLive).ToList();
        var longest = stopped.Count == 0 ? TimeSpan.Zero : stopped.Max(r => r.Delay);
        var stillLive = rows.Count - stopped.Count;
        return new ControlOutcome(
            slow.Count == 0 && usedAfter == 0,
            $"{ControlContext.Count(stillLive)} still live; longest {ControlContext.Span(longest)} to revocation over {ControlContext.Count(rows.Count)} credentials of {ControlContext.Count(owners)} owners deactivated in the window; {ControlContext.Count(usedAfter)} calls started after deactivation",
            $"≤ {ControlContext.Span(limit)}, no calls after deactivation",
            "For each owner deactivated in the evidence window, its credentials that were live at that moment and when they stopped working (covering mass revocation, individual revocation or expiry); usage events of those owners that started after deactivation.",
            findings);
    }
}
