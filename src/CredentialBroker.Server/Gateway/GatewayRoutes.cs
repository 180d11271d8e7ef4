namespace CredentialBroker.Server.Gateway;

/// <summary>The gateway's HTTP routes: OpenAI-compatible under /openai/v1, Anthropic-compatible under /anthropic/v1.</summary>
internal static class GatewayRoutes
{
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        void Post(string path, GatewayEndpoint endpoint) =>
            app.MapPost(path, (HttpContext http, GatewayHandler handler) => handler.HandleAsync(http, endpoint));

        Post("/openai/v1/chat/completions", GatewayEndpoint.ChatCompletions);
        Post("/openai/v1/completions", GatewayEndpoint.Completions);
        Post("/openai/v1/embeddings", GatewayEndpoint.Embeddings);
        Post("/openai/v1/responses", GatewayEndpoint.Responses);
        app.MapGet("/openai/v1/models", (HttpContext http, GatewayHandler handler) => handler.HandleAsync(http, GatewayEndpoint.Models));
        Post("/anthropic/v1/messages", GatewayEndpoint.Messages);
        Post("/anthropic/v1/messages/count_tokens", GatewayEndpoint.CountTokens);

        // Anything else under the gateway's prefixes: a clear 404 in the provider's shape, nothing forwarded.
        app.Map("/openai/{**rest}", http => Unknown(http, WireFormat.OpenAI, "/openai/v1/chat/completions, /openai/v1/completions, /openai/v1/embeddings, /openai/v1/responses (POST) and /openai/v1/models (GET)"));
        app.Map("/anthropic/{**rest}", http => Unknown(http, WireFormat.Anthropic, "/anthropic/v1/messages and /anthropic/v1/messages/count_tokens (POST)"));
        return app;
    }

    private static Task Unknown(HttpContext http, WireFormat format, string served) =>
        GatewayErrors.WriteAsync(http, format, new GatewayDenial(404, "unknown_endpoint",
            $"The gateway does not serve {http.Request.Method} {http.Request.Path}; it serves {served}."));
}
