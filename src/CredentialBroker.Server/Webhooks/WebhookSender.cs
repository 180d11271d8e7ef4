using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace CredentialBroker.Server.Webhooks;

/// <summary>The outcome of delivering one event: delivered, or given up after <paramref name="Attempts"/> with the last error.</summary>
internal readonly record struct DeliveryResult(bool Delivered, int Attempts, string? LastError);

/// <summary>
/// POSTs one event to one webhook, retrying with exponential backoff and jitter (a receiver's
/// Retry-After is honoured up to the configured maximum). Errors name the webhook and host, never the URL.
/// </summary>
internal sealed class WebhookSender(IHttpClientFactory httpClients, TimeProvider time, ILogger<WebhookSender> logger)
{
    public const string HttpClientName = "webhooks";

    public async Task<DeliveryResult> SendAsync(WebhookTarget target, WebhookEvent e, CancellationToken cancellationToken)
    {
        var options = target.Options;
        var body = options.Format == "slack" ? e.ToSlack() : e.ToJson();
        string? lastError = null;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Timeout);
                using var request = CreateRequest(target, e, body);
                using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    WebhookLog.Delivered(logger, options.Name, e.Seq, e.Action, attempt);
                    return new DeliveryResult(true, attempt, null);
                }

                lastError = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastError = $"timed out after {options.Timeout.TotalSeconds:0.###} s";
            }
            catch (HttpRequestException ex)
            {
                lastError = ex.HttpRequestError == HttpRequestError.Unknown ? "request failed" : ex.HttpRequestError.ToString();
            }

            WebhookLog.AttemptFailed(logger, options.Name, target.Host, e.Seq, attempt, options.MaxAttempts, lastError);
            if (attempt >= options.MaxAttempts)
            {
                return new DeliveryResult(false, attempt, lastError);
            }

            // Real time on purpose: the wait is for a remote receiver to recover, not a business deadline.
            await Task.Delay(Backoff(options, attempt, retryAfter), cancellationToken);
        }
    }

    /// <summary>Wait before the next attempt: initial × 2^(attempt−1) ± 20 %, or the receiver's Retry-After, capped.</summary>
    internal static TimeSpan Backoff(WebhookOptions options, int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
        {
            return asked < options.MaxBackoff ? asked : options.MaxBackoff;
        }

        var exponential = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var jittered = exponential * (0.8 + (Random.Shared.NextDouble() * 0.4));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, options.MaxBackoff.TotalMilliseconds));
    }

    private HttpRequestMessage CreateRequest(WebhookTarget target, WebhookEvent e, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Version = HttpVersion.Version11,
        };
        var id = e.Seq.ToString(CultureInfo.InvariantCulture);
        request.Headers.Add("X-Broker-Event", e.Action);
        request.Headers.Add("X-Broker-Delivery", id);
        if (target.SigningSecret is { } secret)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.Add("X-Broker-Signature", $"t={timestamp},v1={Sign(secret, timestamp, body)}");
        }

        return request;
    }

    /// <summary>hex(HMAC-SHA256(secret, timestamp + "." + body)): what a receiver recomputes to check a delivery.</summary>
    internal static string Sign(byte[] secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(timestamp + "." + body)));
}
