using System.Text.Json.Nodes;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.Anthropic;

/// <summary>
/// Anthropic: <c>x-api-key: &lt;key&gt;</c>, or <c>Authorization: Bearer &lt;key&gt;</c> as the 1.x
/// <c>@anthropic-ai/sdk</c> sends its API key; errors as <c>{"type":"error","error":{type,message}}</c>.
/// </summary>
internal sealed class AnthropicDialect : ProviderDialect
{
    public static readonly AnthropicDialect Instance = new();

    private AnthropicDialect()
    {
    }

    public override bool IsAuthorized(HttpRequest request) =>
        !string.IsNullOrWhiteSpace(request.Headers["x-api-key"].ToString()) || HasBearerToken(request);

    public override Task UnauthorizedAsync(HttpContext context) => WriteAsync(
        context,
        StatusCodes.Status401Unauthorized,
        "authentication_error",
        "Send an API key as 'x-api-key: <key>' or 'Authorization: Bearer <key>' (the simulator accepts any key).");

    public override Task InvalidRequestAsync(HttpContext context, string message, string? param) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", message);

    private static Task WriteAsync(HttpContext context, int statusCode, string type, string message) =>
        JsonResponse.WriteAsync(context, statusCode, new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
        });
}
