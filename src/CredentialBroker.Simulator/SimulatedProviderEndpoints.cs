using CredentialBroker.Simulator.Anthropic;
using CredentialBroker.Simulator.Http;
using CredentialBroker.Simulator.OpenAi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.Simulator;

/// <summary>Maps the simulated provider's routes into any ASP.NET Core app.</summary>
public static class SimulatedProviderEndpoints
{
    /// <summary>
    /// Maps the OpenAI routes <c>POST /v1/chat/completions</c>, <c>/v1/completions</c>, <c>/v1/embeddings</c>,
    /// <c>/v1/responses</c> and <c>GET /v1/models</c>, and the Anthropic routes <c>POST /v1/messages</c> and
    /// <c>/v1/messages/count_tokens</c>, with the provider's wire format, auth header and error shape.
    /// </summary>
    /// <param name="endpoints">Where to map; the routes start with <c>/v1/</c> below it.</param>
    /// <param name="options">Behaviour, read on every request; defaults when null.</param>
    /// <returns><paramref name="endpoints"/>, for chaining.</returns>
    /// <remarks>
    /// <para>Everything is deterministic:</para>
    /// <list type="bullet">
    /// <item><b>Auth.</b> OpenAI routes need <c>Authorization: Bearer &lt;any non-empty key&gt;</c>, Anthropic
    /// routes <c>x-api-key: &lt;any non-empty key&gt;</c> or that Bearer header (how the 1.x Anthropic SDK sends
    /// its API key); else 401 in the provider's error shape. A body that is
    /// not a JSON object, or has no <c>model</c>, is a 400.</item>
    /// <item><b>Input tokens</b> = whitespace-separated words in all text of the request, plus 3 per message,
    /// at least 1. Text is: chat <c>messages[].content</c> (a string or parts' <c>text</c>); completions
    /// <c>prompt</c> and embeddings <c>input</c> (a string or array of strings; token-id arrays count one per id);
    /// responses <c>instructions</c> and <c>input</c> (a string, or message items with string or parts'
    /// content); Anthropic <c>system</c> (a string or blocks' <c>text</c>) and <c>messages[].content</c>. Messages
    /// are chat and Anthropic <c>messages</c> entries and the items of an array responses <c>input</c>.</item>
    /// <item><b>Prompt caching.</b> A request of 2048 input tokens or more has 1024 of them cached: OpenAI reports
    /// them in <c>cached_tokens</c> (included in the input count), Anthropic in <c>cache_read_input_tokens</c>
    /// (excluded from <c>input_tokens</c>).</item>
    /// <item><b>Output</b> = K tokens, the text <c>"sim0 sim1 ... sim{K-1}"</c>; K is the request's maximum
    /// (chat <c>max_completion_tokens</c> or <c>max_tokens</c>, completions <c>max_tokens</c>, responses
    /// <c>max_output_tokens</c>, Anthropic <c>max_tokens</c>, which is required there) or else
    /// <see cref="SimulatedProviderOptions.DefaultOutputTokens"/>. The finish reason is always <c>stop</c>
    /// (OpenAI) or <c>end_turn</c> (Anthropic). Embeddings have no output tokens and return one unit vector of
    /// 8 floats per input, derived from a hash of that input.</item>
    /// <item><b>Streaming</b> (<c>"stream": true</c>) sends server-sent events, one delta per token, each after
    /// <see cref="SimulatedProviderOptions.DelayPerToken"/>; chat and completions add a usage chunk only when
    /// <c>stream_options.include_usage</c> is true. A client that disconnects ends the stream.</item>
    /// <item><b>Ids</b> count up per mapped simulator: <c>chatcmpl-sim-1</c>, <c>cmpl-sim-2</c>,
    /// <c>resp_sim_3</c>, <c>msg_sim_4</c>; timestamps come from the host's <see cref="TimeProvider"/>.</item>
    /// </list>
    /// </remarks>
    public static IEndpointRouteBuilder MapSimulatedProvider(this IEndpointRouteBuilder endpoints, SimulatedProviderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var time = endpoints.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
        var simulation = new Simulation(options ?? new SimulatedProviderOptions(), time);

        var openAi = endpoints.MapGroup("/v1");
        openAi.MapPost("/chat/completions", EndpointPipeline.Post(OpenAiDialect.Instance, simulation, ChatCompletionsEndpoint.HandleAsync));
        openAi.MapPost("/completions", EndpointPipeline.Post(OpenAiDialect.Instance, simulation, CompletionsEndpoint.HandleAsync));
        openAi.MapPost("/embeddings", EndpointPipeline.Post(OpenAiDialect.Instance, simulation, EmbeddingsEndpoint.HandleAsync));
        openAi.MapPost("/responses", EndpointPipeline.Post(OpenAiDialect.Instance, simulation, ResponsesEndpoint.HandleAsync));
        openAi.MapGet("/models", EndpointPipeline.Get(OpenAiDialect.Instance, ModelsEndpoint.HandleAsync));

        var anthropic = endpoints.MapGroup("/v1");
        anthropic.MapPost("/messages", EndpointPipeline.Post(AnthropicDialect.Instance, simulation, MessagesEndpoint.HandleAsync));
        anthropic.MapPost("/messages/count_tokens", EndpointPipeline.Post(AnthropicDialect.Instance, simulation, CountTokensEndpoint.HandleAsync));
        return endpoints;
    }
}
