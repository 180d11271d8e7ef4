using System.Text.Json;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Server.Anomalies;

/// <summary>Anomaly rows and enums to and from their gRPC form.</summary>
internal static class AnomalyMapper
{
    public static V1.Anomaly ToProto(Anomaly a)
    {
        var proto = new V1.Anomaly
        {
            Id = a.Id.ToString(),
            CredentialId = a.CredentialId.ToString(),
            OwnerId = a.OwnerId.ToString(),
            PurposeId = a.PurposeId.ToString(),
            Kind = ToProto(a.Kind),
            Score = a.Score,
            Action = a.Action switch
            {
                AnomalyAction.Alert => V1.AnomalyAction.Alert,
                AnomalyAction.Narrow => V1.AnomalyAction.Narrow,
                AnomalyAction.Suspend => V1.AnomalyAction.Suspend,
                _ => V1.AnomalyAction.Revoke,
            },
            Status = a.Status switch
            {
                AnomalyStatus.Open => V1.AnomalyStatus.Open,
                AnomalyStatus.Acknowledged => V1.AnomalyStatus.Acknowledged,
                _ => V1.AnomalyStatus.Resolved,
            },
            DetectedAt = Timestamp.FromDateTimeOffset(a.DetectedAt),
            AcknowledgedBy = a.AcknowledgedBy ?? string.Empty,
            Note = a.Note ?? string.Empty,
        };
        foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(a.Evidence) ?? [])
        {
            proto.Evidence[key] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }

        if (a.AcknowledgedAt is { } acknowledged)
        {
            proto.AcknowledgedAt = Timestamp.FromDateTimeOffset(acknowledged);
        }

        if (a.ResolvedAt is { } resolved)
        {
            proto.ResolvedAt = Timestamp.FromDateTimeOffset(resolved);
        }

        return proto;
    }

    public static V1.AnomalyKind ToProto(AnomalyKind kind) => kind switch
    {
        AnomalyKind.Spike => V1.AnomalyKind.Spike,
        AnomalyKind.Ceiling => V1.AnomalyKind.Ceiling,
        AnomalyKind.IdentityMismatch => V1.AnomalyKind.IdentityMismatch,
        AnomalyKind.Loop => V1.AnomalyKind.Loop,
        _ => V1.AnomalyKind.FanOut,
    };

    /// <summary>The kind a request names; null for unspecified, or a violation for an unknown value.</summary>
    public static AnomalyKind? FromProto(V1.AnomalyKind kind, Grpc.RequestValidator v)
    {
        switch (kind)
        {
            case V1.AnomalyKind.Unspecified: return null;
            case V1.AnomalyKind.Spike: return AnomalyKind.Spike;
            case V1.AnomalyKind.Ceiling: return AnomalyKind.Ceiling;
            case V1.AnomalyKind.IdentityMismatch: return AnomalyKind.IdentityMismatch;
            case V1.AnomalyKind.Loop: return AnomalyKind.Loop;
            case V1.AnomalyKind.FanOut: return AnomalyKind.FanOut;
            default:
                v.Add("kind", "is not a known anomaly kind");
                return null;
        }
    }

    /// <summary>The status a request names; null for unspecified, or a violation for an unknown value.</summary>
    public static AnomalyStatus? FromProto(V1.AnomalyStatus status, Grpc.RequestValidator v)
    {
        switch (status)
        {
            case V1.AnomalyStatus.Unspecified: return null;
            case V1.AnomalyStatus.Open: return AnomalyStatus.Open;
            case V1.AnomalyStatus.Acknowledged: return AnomalyStatus.Acknowledged;
            case V1.AnomalyStatus.Resolved: return AnomalyStatus.Resolved;
            default:
                v.Add("status", "is not a known anomaly status");
                return null;
        }
    }
}
