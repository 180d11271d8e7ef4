using System.Text.Json;
using System.Text.Json.Nodes;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.OpenAi;

/// <summary>
/// <c>POST /v1/responses</c>, whole or streamed as the Responses API's typed events (the full official
/// sequence, so that the SDKs' stream helpers can assemble the response).
/// </summary>
internal static class ResponsesEndpoint
{
    public static async Task HandleAsync(SimulatedCall call)
    {
        var simulation = call.Simulation;
        var inputTokens = InputTokens.AtLeastOne(InputTokens.Content(call.Property("instructions")) + Input(call.Property("input")));
        var outputTokens = simulation.OutputTokens(call.Maximum("max_output_tokens"));
        var sequence = simulation.NextSequence();
        var id = "resp_sim_" + sequence;
        var itemId = "msg_sim_" + sequence;
        var created = simulation.UnixNow();
        var text = Simulation.Text(outputTokens);

        JsonObject Response(string status, JsonArray output, JsonNode? usage) => new()
        {
            ["id"] = id,
            ["object"] = "response",
            ["created_at"] = created,
            ["status"] = status,
            ["model"] = call.Model,
            ["output"] = output,
            ["usage"] = usage,
        };
        JsonObject Message(string status, JsonArray content) => new()
        {
            ["type"] = "message",
            ["id"] = itemId,
            ["status"] = status,
            ["role"] = "assistant",
            ["content"] = content,
        };
        JsonObject Completed() => Response("completed", [Message("completed", [Part(text)])], Usage(inputTokens, outputTokens));

        if (!call.IsTrue("stream"))
        {
            await JsonResponse.WriteAsync(call.Context, StatusCodes.Status200OK, Completed());
            return;
        }

        var events = ServerSentEvents.Start(call.Context);
        var sequenceNumber = 0;
        Task Emit(JsonObject data)
        {
            data["sequence_number"] = sequenceNumber++;
            return events.WriteAsync((string)data["type"]!, data);
        }

        JsonObject ContentEvent(string type, string name, JsonNode value) => new()
        {
            ["type"] = type,
            ["item_id"] = itemId,
            ["output_index"] = 0,
            ["content_index"] = 0,
            [name] = value,
        };

        await Emit(new() { ["type"] = "response.created", ["response"] = Response("in_progress", [], null) });
        await Emit(new() { ["type"] = "response.in_progress", ["response"] = Response("in_progress", [], null) });
        await Emit(new() { ["type"] = "response.output_item.added", ["output_index"] = 0, ["item"] = Message("in_progress", []) });
        await Emit(ContentEvent("response.content_part.added", "part", Part(string.Empty)));
        for (var i = 0; i < outputTokens; i++)
        {
            await simulation.BeforeTokenAsync(call.Aborted);
            await Emit(ContentEvent("response.output_text.delta", "delta", Simulation.Delta(i)));
        }

        await Emit(ContentEvent("response.output_text.done", "text", text));
        await Emit(ContentEvent("response.content_part.done", "part", Part(text)));
        await Emit(new() { ["type"] = "response.output_item.done", ["output_index"] = 0, ["item"] = Message("completed", [Part(text)]) });
        await Emit(new() { ["type"] = "response.completed", ["response"] = Completed() });
    }

    /// <summary><c>input</c>: a string, or message items whose content counts plus the per-message overhead.</summary>
    private static int Input(JsonElement input) =>
        input.ValueKind == JsonValueKind.String ? InputTokens.Words(input.GetString()!) : InputTokens.Messages(input);

    private static JsonObject Part(string text) => new()
    {
        ["type"] = "output_text",
        ["text"] = text,
        ["annotations"] = new JsonArray(),
    };

    private static JsonObject Usage(int inputTokens, int outputTokens) => new()
    {
        ["input_tokens"] = inputTokens,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = Simulation.CachedTokens(inputTokens) },
        ["output_tokens"] = outputTokens,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
        ["total_tokens"] = inputTokens + outputTokens,
    };
}
