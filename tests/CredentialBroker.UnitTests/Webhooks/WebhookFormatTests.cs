using System.Text.Json;
using CredentialBroker.Server.Webhooks;

namespace CredentialBroker.UnitTests.Webhooks;

public sealed class WebhookFormatTests
{
    private static readonly WebhookEvent _event = new(
        42, new DateTimeOffset(2026, 11, 29, 8, 30, 0, TimeSpan.Zero), "security:alice", "security", "credential.suspended", "credential",
        "0193-abc", "anomaly identity_mismatch", "success", """{"anomaly_id":"a1","score":"3.5"}""");

    [Theory]
    [InlineData("anomaly.*", "anomaly.detected", true)]
    [InlineData("anomaly.*", "anomaly", false)]
    [InlineData("*", "gateway.denied", true)]
    [InlineData("credential.suspended", "credential.suspended", true)]
    [InlineData("credential.suspended", "credential.suspended_x", false)]
    [InlineData("*.revoked", "credential.revoked", true)]
    [InlineData("*.revoked", "credentials.revoked_matching", false)]
    [InlineData("cred*.rev*", "credentials.revoked_matching", true)]
    public void Matches_Pattern_MatchesWholeAction(string pattern, string action, bool expected)
    {
        Assert.Equal(expected, EventPattern.Matches(pattern, action));
    }

    [Fact]
    public void ToJson_CarriesTheAuditFields()
    {
        using var json = JsonDocument.Parse(_event.ToJson());
        var root = json.RootElement;

        Assert.Equal(42, root.GetProperty("id").GetInt64());
        Assert.Equal("credential.suspended", root.GetProperty("type").GetString());
        Assert.Equal("0193-abc", root.GetProperty("target").GetProperty("id").GetString());
        Assert.Equal("a1", root.GetProperty("details").GetProperty("anomaly_id").GetString());
        Assert.Equal("2026-11-29T08:30:00.0000000Z", root.GetProperty("occurred_at").GetString());
    }

    [Fact]
    public void ToSlack_IsATextMessageNamingActionTargetAndDetails()
    {
        using var json = JsonDocument.Parse(_event.ToSlack());
        var text = json.RootElement.GetProperty("text").GetString()!;

        Assert.Single(json.RootElement.EnumerateObject());
        Assert.Contains("*credential.suspended*", text, StringComparison.Ordinal);
        Assert.Contains("`0193-abc`", text, StringComparison.Ordinal);
        Assert.Contains("anomaly_id: a1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_IsHmacSha256OfTimestampDotBody()
    {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        Assert.Equal("49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686", WebhookSender.Sign("secret"u8.ToArray(), "1700000000", """{"a":1}"""));
        Assert.NotEqual(WebhookSender.Sign("secret"u8.ToArray(), "1700000000", "{}"), WebhookSender.Sign("secret"u8.ToArray(), "1700000001", "{}"));
    }

    [Fact]
    public void Backoff_DoublesWithJitterAndIsCapped()
    {
        var options = new WebhookOptions { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(10) };

        Assert.InRange(WebhookSender.Backoff(options, 1, null).TotalMilliseconds, 800, 1200);
        Assert.InRange(WebhookSender.Backoff(options, 3, null).TotalMilliseconds, 3200, 4800);
        Assert.Equal(TimeSpan.FromSeconds(10), WebhookSender.Backoff(options, 12, null));
        Assert.Equal(TimeSpan.FromSeconds(3), WebhookSender.Backoff(options, 1, TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(10), WebhookSender.Backoff(options, 1, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Validate_BadSettings_NameEachKey()
    {
        var problems = WebhookTarget.Validate(
            new WebhookOptions { Name = "bad name", Url = "http://hooks.example.com/x", Events = [], Format = "xml", StartFrom = "now", MaxAttempts = 0 },
            "Broker:Webhooks:0").ToList();

        Assert.Contains(problems, p => p.StartsWith("Broker:Webhooks:0:Name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Broker:Webhooks:0:Url must be an absolute https URL", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Broker:Webhooks:0:Events", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Broker:Webhooks:0:Format", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Broker:Webhooks:0:StartFrom", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Broker:Webhooks:0:MaxAttempts", StringComparison.Ordinal));
        Assert.Empty(WebhookTarget.Validate(new WebhookOptions { Name = "slack", Url = "https://hooks.example.com/services/T/B/x", Events = ["anomaly.*"] }, "k"));
        Assert.Empty(WebhookTarget.Validate(new WebhookOptions { Name = "local", Url = "http://127.0.0.1:9000/hook", Events = ["*"] }, "k"));
    }
}
