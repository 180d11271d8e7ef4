using System.Text.Json;
using System.Text.Json.Nodes;

namespace CredentialBroker.Server.Webhooks;

/// <summary>A sealed audit event as a webhook delivers it. Audit events never hold secrets, so neither does this.</summary>
internal sealed record WebhookEvent(
    long Seq, DateTimeOffset OccurredAt, string Actor, string? ActorRole, string Action, string TargetType, string? TargetId,
    string? Reason, string Outcome, string Metadata)
{
    /// <summary>The JSON body of the <c>json</c> format.</summary>
    public string ToJson()
    {
        var body = new JsonObject
        {
            ["id"] = Seq,
            ["type"] = Action,
            ["occurred_at"] = OccurredAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["actor"] = Actor,
            ["actor_role"] = ActorRole,
            ["target"] = new JsonObject { ["type"] = TargetType, ["id"] = TargetId },
            ["outcome"] = Outcome,
            ["reason"] = Reason,
            ["details"] = JsonNode.Parse(Metadata),
        };
        return body.ToJsonString();
    }

    /// <summary>A Slack-compatible incoming-webhook message.</summary>
    public string ToSlack()
    {
        var text = $"CredentialBroker: *{Action}* on {TargetType} `{TargetId ?? "-"}`"
            + (Reason is { Length: > 0 } ? $" — {Reason}" : string.Empty)
            + $" (by {Actor}, {OccurredAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, audit #{Seq})";
        var details = JsonNode.Parse(Metadata)?.AsObject();
        if (details is { Count: > 0 })
        {
            text += "\n" + string.Join(", ", details.Select(p => $"{p.Key}: {p.Value?.ToString()}"));
        }

        return JsonSerializer.Serialize(new { text });
    }
}
