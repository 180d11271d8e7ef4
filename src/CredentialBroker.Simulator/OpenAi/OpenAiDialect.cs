using System.Text.Json.Nodes;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.OpenAi;

/// <summary>OpenAI: <c>Authorization: Bearer &lt;key&gt;</c>; errors as <c>{"error":{message,type,param,code}}</c>.</summary>
internal sealed class OpenAiDialect : ProviderDialect
{
    public static readonly OpenAiDialect Instance = new();

    private OpenAiDialect()
    {
    }

    public override bool IsAuthorized(HttpRequest request) => HasBearerToken(request);

    public override Task UnauthorizedAsync(HttpContext context) => WriteAsync(
        context,
        StatusCodes.Status401Unauthorized,
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' (the simulator accepts any key).",
        param: null,
        code: "invalid_api_key");

    public override Task InvalidRequestAsync(HttpContext context, string message, string? param) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, message, param, code: null);

    private static Task WriteAsync(HttpContext context, int statusCode, string message, string? param, string? code) =>
        JsonResponse.WriteAsync(context, statusCode, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = message,
                ["type"] = "invalid_request_error",
                ["param"] = param,
                ["code"] = code,
            },
        });
}
