using CredentialBroker.Server.Persistence;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Revokes credentials still active although their owner is deactivated, their purpose retired or
/// their workload deregistered, and no revocation watermark covers them — for instance one issued
/// in a race with the offboarding, or a row written behind the broker's back. Offboarding itself
/// revokes through a watermark; this is the net under it.
/// </summary>
internal sealed class OwnerlessSweeper(SweepRevoker revoker, TimeProvider time, ILogger<OwnerlessSweeper> logger)
{
    public const string Actor = "system:ownerless-sweep";

    private const string Candidates =
        """
        SELECT c.id,
               CASE WHEN NOT o.active THEN 'owner deactivated'
                    WHEN p.retired_at IS NOT NULL THEN 'purpose retired'
                    ELSE 'workload deregistered' END || ' (caught by the ownerless sweep)' AS reason
        FROM credentials c
        JOIN owners o ON o.id = c.owner_id
        JOIN purposes p ON p.id = c.purpose_id
        JOIN workloads w ON w.id = c.workload_id
        WHERE c.status = 'active' AND c.expires_at > $1
          AND (NOT o.active OR p.retired_at IS NOT NULL OR w.deregistered_at IS NOT NULL)
          AND credential_watermark(c.owner_id, c.purpose_id, c.provider_name, c.workload_id, c.issued_at, c.labels) IS NULL
        ORDER BY c.issued_at
        LIMIT $2
        FOR UPDATE OF c SKIP LOCKED
        """;

    /// <summary>Revokes every such credential; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var revoked = await revoker.RevokeAsync(Candidates, time.GetDbNow(), Actor, [], cancellationToken);
        if (revoked > 0)
        {
            GovernanceLog.OwnerlessRevoked(logger, revoked);
        }

        return revoked;
    }
}
