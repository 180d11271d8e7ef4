using System.Text.Json.Nodes;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.OpenAi;

/// <summary><c>GET /v1/models</c>: a fixed list (any other model name is accepted too).</summary>
internal static class ModelsEndpoint
{
    public static readonly IReadOnlyList<string> Models = ["gpt-4o-mini", "gpt-4.1", "text-embedding-3-small", "claude-sonnet-4-5"];

    public static Task HandleAsync(HttpContext context) => JsonResponse.WriteAsync(context, StatusCodes.Status200OK, new JsonObject
    {
        ["object"] = "list",
        ["data"] = new JsonArray([.. Models.Select(id => (JsonNode)new JsonObject
        {
            ["id"] = id,
            ["object"] = "model",
            ["created"] = 0,
            ["owned_by"] = "simulator",
        })]),
    });
}
