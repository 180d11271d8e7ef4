using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CredentialBroker.Server.Gateway;

/// <summary>Why the gateway refused or failed a call; written in the provider's own error shape.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Code">Machine-readable reason, e.g. "budget_exceeded", "model_not_allowed".</param>
/// <param name="Message">What tripped and what to do, for a person. Never holds a secret.</param>
/// <param name="Param">The request field at fault, if any.</param>
/// <param name="RetryAfter">When a retry can succeed (rate limits); sent as <c>retry-after</c>.</param>
/// <param name="ShouldRetry">False tells the official SDKs not to retry (x-should-retry: false).</param>
internal sealed record GatewayDenial(int Status, string Code, string Message, string? Param = null, TimeSpan? RetryAfter = null, bool ShouldRetry = false)
{
    public static GatewayDenial BadRequest(string code, string message, string? param = null) => new(400, code, message, param);

    public static GatewayDenial Unauthorized(string code, string message) => new(401, code, message);

    public static GatewayDenial Forbidden(string code, string message, string? param = null) => new(403, code, message, param);
}

/// <summary>Writes errors the way OpenAI and Anthropic do, so their SDKs surface them unchanged.</summary>
internal static class GatewayErrors
{
    public static async Task WriteAsync(HttpContext http, WireFormat format, GatewayDenial denial)
    {
        if (http.Response.HasStarted)
        {
            return;
        }

        http.Response.StatusCode = denial.Status;
        http.Response.ContentType = "application/json";
        if (denial.RetryAfter is { } retry)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        http.Response.Headers["x-should-retry"] = denial.ShouldRetry ? "true" : "false";
        http.Response.Headers["x-broker-denial"] = denial.Code;
        // Relaxed escaping keeps messages readable (it's, +) in a JSON body; nothing here is embedded in HTML.
        await using var writer = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        if (format == WireFormat.Anthropic)
        {
            writer.WriteString("type", "error");
            writer.WriteStartObject("error");
            writer.WriteString("type", AnthropicType(denial.Status));
            writer.WriteString("message", denial.Message);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStartObject("error");
            writer.WriteString("message", denial.Message);
            writer.WriteString("type", OpenAIType(denial));
            if (denial.Param is null)
            {
                writer.WriteNull("param");
            }
            else
            {
                writer.WriteString("param", denial.Param);
            }

            writer.WriteString("code", denial.Code);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        await writer.FlushAsync();
    }

    private static string AnthropicType(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        _ => "api_error",
    };

    private static string OpenAIType(GatewayDenial denial) => denial.Status switch
    {
        429 when denial.Code == "budget_exceeded" => "insufficient_quota",
        429 => "rate_limit_exceeded",
        401 => "invalid_request_error",
        403 => "permission_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };
}
