using CredentialBroker.Server.Revocation;

namespace CredentialBroker.Server.Credentials;

/// <summary>A credential row with what enforcement adds to it: its purpose's name and the mass revocation covering it.</summary>
internal sealed record CredentialView(Credential Row, string PurposeName, RevocationWatermark? Watermark)
{
    /// <summary>The state enforced now: the row's own, unless a watermark revoked it or it is past expiry.
    /// A suspended credential is still revoked by a watermark and still expires.</summary>
    public CredentialState EffectiveState(DateTimeOffset now) =>
        Row.Status is not (CredentialState.Active or CredentialState.Suspended) ? Row.Status
        : Watermark is not null ? CredentialState.Revoked
        : Row.ExpiresAt <= now ? CredentialState.Expired
        : Row.Status;

    public V1.Credential ToProto(DateTimeOffset now)
    {
        var state = EffectiveState(now);
        var c = Row;
        var proto = new V1.Credential
        {
            Id = c.Id.ToString(),
            Prefix = c.Prefix,
            OwnerId = c.OwnerId.ToString(),
            PurposeId = c.PurposeId.ToString(),
            WorkloadId = c.WorkloadId.ToString(),
            Provider = c.ProviderName,
            Purpose = PurposeName,
            Status = state switch
            {
                CredentialState.Active => V1.CredentialStatus.Active,
                CredentialState.Expired => V1.CredentialStatus.Expired,
                CredentialState.Suspended => V1.CredentialStatus.Suspended,
                _ => V1.CredentialStatus.Revoked,
            },
            IssuedAt = Timestamp(c.IssuedAt),
            ExpiresAt = Timestamp(c.ExpiresAt),
            MaxExpiresAt = Timestamp(c.MaxExpiresAt),
            Models = { c.Models },
            Labels = { Labels.Parse(c.Labels) },
            ParentId = c.ParentId?.ToString() ?? string.Empty,
            RootId = c.RootId?.ToString() ?? string.Empty,
            Depth = c.Depth,
            Budgets = { Gateway.GatewayMapper.ToProto(c.Limits).Budgets },
            Endpoints = { c.Endpoints },
            Description = c.Description ?? string.Empty,
        };
        if (c.RenewedAt is { } renewed)
        {
            proto.RenewedAt = Timestamp(renewed);
        }

        if (state == CredentialState.Suspended && c.SuspendedBy is { } anomaly)
        {
            proto.SuspendedBy = anomaly.ToString();
        }

        if (c.LastUsedAt is { } used)
        {
            proto.LastUsedAt = Timestamp(used);
        }

        if (c.Status is (CredentialState.Active or CredentialState.Suspended) && Watermark is { } w)
        {
            proto.RevokedAt = Timestamp(w.EffectiveAt);
            proto.RevocationReason = w.Reason;
            proto.RevocationId = w.Id.ToString();
        }
        else if (c.RevokedAt is { } revoked)
        {
            proto.RevokedAt = Timestamp(revoked);
            proto.RevocationReason = c.RevocationReason ?? string.Empty;
            proto.RevocationId = c.RevocationId?.ToString() ?? string.Empty;
        }
        else if (state == CredentialState.Expired)
        {
            proto.RevokedAt = Timestamp(c.ExpiresAt);
            proto.RevocationReason = "expired";
        }

        return proto;
    }

    private static Google.Protobuf.WellKnownTypes.Timestamp Timestamp(DateTimeOffset value) =>
        Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(value);
}
