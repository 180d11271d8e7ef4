using System.ComponentModel.DataAnnotations;

namespace CredentialBroker.Server.Webhooks;

/// <summary>One webhook (<c>Broker:Webhooks:N</c>): audit events whose action matches <see cref="Events"/> are POSTed to <see cref="Url"/>.</summary>
public sealed class WebhookOptions
{
    /// <summary>Stable name (letters, digits, '-', '_'): it keys the delivery cursor, so renaming starts a new one.</summary>
    [Required]
    public string Name { get; set; } = string.Empty;

    /// <summary>Receiver URL; https, or http on loopback. Treated as a secret (Slack URLs carry a token): logs name the webhook and host only.</summary>
    [Required]
    public string Url { get; set; } = string.Empty;

    /// <summary>
    /// Audit actions to deliver; <c>*</c> matches any run of characters (e.g. <c>anomaly.*</c>,
    /// <c>credential.suspended</c>, <c>*</c>). Denials are delivered only when a pattern names them.
    /// </summary>
    public List<string> Events { get; set; } = [];

    /// <summary><c>json</c> (the event as JSON) or <c>slack</c> (a Slack-compatible <c>{"text": ...}</c> message).</summary>
    public string Format { get; set; } = "json";

    /// <summary>File holding a shared secret; when set, each POST carries <c>X-Broker-Signature: t=unix,v1=hex(HMAC-SHA256(secret, t + "." + body))</c>.</summary>
    public string? SigningSecretFile { get; set; }

    /// <summary>Attempts per event before it is moved to webhook_dead_letters and delivery continues.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failure; doubles per attempt (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts (a receiver's Retry-After is honoured up to this).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Timeout of one POST.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Where a new webhook starts: <c>latest</c> (events sealed from now on) or <c>beginning</c>
    /// (replays the whole audit log). Only read when the webhook has no cursor yet.
    /// </summary>
    public string StartFrom { get; set; } = "latest";
}
