using System.Text.Json.Nodes;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.Anthropic;

/// <summary>
/// <c>POST /v1/messages</c>, whole or streamed as Anthropic's events. <c>input_tokens</c> excludes cache
/// reads, which are reported apart as <c>cache_read_input_tokens</c>, as the API does.
/// </summary>
internal static class MessagesEndpoint
{
    public static async Task HandleAsync(SimulatedCall call)
    {
        var simulation = call.Simulation;
        var maxTokens = call.Maximum("max_tokens") ?? throw new InvalidRequestException("max_tokens: Field required", "max_tokens");
        var inputTokens = AnthropicInput.Tokens(call);
        var cachedTokens = Simulation.CachedTokens(inputTokens);
        var outputTokens = simulation.OutputTokens(maxTokens);
        var id = "msg_sim_" + simulation.NextSequence();
        const string StopReason = "end_turn";

        JsonObject Message(JsonArray content, string? stopReason, int reportedOutputTokens) => new()
        {
            ["id"] = id,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = call.Model,
            ["content"] = content,
            ["stop_reason"] = stopReason,
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = inputTokens - cachedTokens,
                ["cache_read_input_tokens"] = cachedTokens,
                ["cache_creation_input_tokens"] = 0,
                ["output_tokens"] = reportedOutputTokens,
            },
        };

        if (!call.IsTrue("stream"))
        {
            var content = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Simulation.Text(outputTokens) });
            await JsonResponse.WriteAsync(call.Context, StatusCodes.Status200OK, Message(content, StopReason, outputTokens));
            return;
        }

        var events = ServerSentEvents.Start(call.Context);
        Task Emit(JsonObject data) => events.WriteAsync((string)data["type"]!, data);

        // Like the API, message_start reports one output token; message_delta carries the final count.
        await Emit(new() { ["type"] = "message_start", ["message"] = Message([], null, 1) });
        await Emit(new() { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = string.Empty } });
        await Emit(new() { ["type"] = "ping" });
        for (var i = 0; i < outputTokens; i++)
        {
            await simulation.BeforeTokenAsync(call.Aborted);
            await Emit(new()
            {
                ["type"] = "content_block_delta",
                ["index"] = 0,
                ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = Simulation.Delta(i) },
            });
        }

        await Emit(new() { ["type"] = "content_block_stop", ["index"] = 0 });
        await Emit(new()
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = StopReason, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = outputTokens },
        });
        await Emit(new() { ["type"] = "message_stop" });
    }
}
