using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Persistence;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Revocation;

/// <summary>Maps between the wire <see cref="Selector"/> and a watermark row.</summary>
internal static class SelectorMapper
{
    /// <summary>Validates a selector; null (with violations recorded) when it is malformed.</summary>
    public static RevocationWatermark? ToWatermark(RequestValidator v, Selector? selector, DateTimeOffset now)
    {
        if (selector is null)
        {
            v.Add("selector", "is required; set at least one of owner_id, purpose_id, provider, workload_id, issued_before, labels");
            return null;
        }

        var watermark = new RevocationWatermark
        {
            Reason = string.Empty,
            Actor = string.Empty,
            OwnerId = v.OptionalId("selector.owner_id", selector.OwnerId),
            PurposeId = v.OptionalId("selector.purpose_id", selector.PurposeId),
            WorkloadId = v.OptionalId("selector.workload_id", selector.WorkloadId),
            ProviderName = string.IsNullOrEmpty(selector.Provider) ? null : v.MaxLength("selector.provider", selector.Provider, 64),
        };

        if (selector.IssuedBefore is { } before)
        {
            if (before.Seconds < Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch).Seconds || before.Nanos < 0)
            {
                v.Add("selector.issued_before", "is not a valid time");
            }
            else if (before.ToDateTimeOffset() > now)
            {
                v.Add("selector.issued_before", "is in the future; a revocation covers only credentials issued up to now (leave it unset for 'now')");
            }
            else
            {
                watermark.IssuedBefore = before.ToDateTimeOffset();
            }
        }

        if (selector.Labels.Count > 0)
        {
            watermark.Labels = Labels.Serialize(v.Labels("selector.labels", selector.Labels));
        }

        if (watermark is { OwnerId: null, PurposeId: null, WorkloadId: null, ProviderName: null, IssuedBefore: null, Labels: null } && v.IsValid)
        {
            v.Add("selector", "is empty; set at least one of owner_id, purpose_id, provider, workload_id, issued_before, labels (to revoke everything, set issued_before to now)");
        }

        return watermark;
    }

    /// <summary>A selector naming an owner, purpose, workload or provider that does not exist is almost surely a typo.</summary>
    public static async Task EnsureReferencesExistAsync(BrokerDbContext db, RevocationWatermark w, CancellationToken cancellationToken)
    {
        if (w.OwnerId is { } owner && !await db.Owners.AnyAsync(o => o.Id == owner, cancellationToken))
        {
            RpcErrors.NotFound($"selector.owner_id: owner {owner} does not exist.");
        }

        if (w.PurposeId is { } purpose && !await db.Purposes.AnyAsync(p => p.Id == purpose, cancellationToken))
        {
            RpcErrors.NotFound($"selector.purpose_id: purpose {purpose} does not exist.");
        }

        if (w.WorkloadId is { } workload && !await db.Workloads.AnyAsync(x => x.Id == workload, cancellationToken))
        {
            RpcErrors.NotFound($"selector.workload_id: workload {workload} does not exist.");
        }

        if (w.ProviderName is { } provider && !await db.Providers.AnyAsync(p => p.Name == provider, cancellationToken))
        {
            RpcErrors.NotFound($"selector.provider: provider '{RequestValidator.Clip(provider)}' does not exist.");
        }
    }

    public static string Describe(RevocationWatermark w)
    {
        var parts = new List<string>();
        if (w.OwnerId is { } o)
        {
            parts.Add($"owner_id={o}");
        }

        if (w.PurposeId is { } p)
        {
            parts.Add($"purpose_id={p}");
        }

        if (w.ProviderName is { } pr)
        {
            parts.Add($"provider={pr}");
        }

        if (w.WorkloadId is { } wl)
        {
            parts.Add($"workload_id={wl}");
        }

        if (w.IssuedBefore is { } b)
        {
            parts.Add($"issued_before={b:O}");
        }

        if (w.Labels is { } l)
        {
            parts.Add($"labels={l}");
        }

        return string.Join(' ', parts);
    }

    public static V1.Revocation ToProto(RevocationWatermark w)
    {
        var selector = new Selector
        {
            OwnerId = w.OwnerId?.ToString() ?? string.Empty,
            PurposeId = w.PurposeId?.ToString() ?? string.Empty,
            WorkloadId = w.WorkloadId?.ToString() ?? string.Empty,
            Provider = w.ProviderName ?? string.Empty,
        };
        if (w.IssuedBefore is { } before)
        {
            selector.IssuedBefore = Timestamp.FromDateTimeOffset(before);
        }

        if (w.Labels is { } labels)
        {
            selector.Labels.Add(Labels.Parse(labels));
        }

        var proto = new V1.Revocation
        {
            Id = w.Id.ToString(),
            Selector = selector,
            Reason = w.Reason,
            EffectiveAt = Timestamp.FromDateTimeOffset(w.EffectiveAt),
            MatchedCount = w.MatchedCount,
            MarkedCount = w.MarkedCount,
            Actor = w.Actor,
        };
        if (w.MarkingCompletedAt is { } done)
        {
            proto.MarkingCompletedAt = Timestamp.FromDateTimeOffset(done);
        }

        return proto;
    }
}
