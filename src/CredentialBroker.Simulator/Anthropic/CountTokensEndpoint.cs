using System.Text.Json.Nodes;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.Anthropic;

/// <summary><c>POST /v1/messages/count_tokens</c>: the input tokens <c>/v1/messages</c> would report, cached ones included.</summary>
internal static class CountTokensEndpoint
{
    public static Task HandleAsync(SimulatedCall call) =>
        JsonResponse.WriteAsync(call.Context, StatusCodes.Status200OK, new JsonObject { ["input_tokens"] = AnthropicInput.Tokens(call) });
}
