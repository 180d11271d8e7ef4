using System.Text.Json.Nodes;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.OpenAi;

/// <summary><c>POST /v1/chat/completions</c>, whole or streamed as <c>chat.completion.chunk</c> events.</summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task HandleAsync(SimulatedCall call)
    {
        var simulation = call.Simulation;
        var inputTokens = InputTokens.AtLeastOne(InputTokens.Messages(call.Property("messages")));
        var outputTokens = simulation.OutputTokens(call.Maximum("max_completion_tokens", "max_tokens"));
        var id = "chatcmpl-sim-" + simulation.NextSequence();
        var created = simulation.UnixNow();

        if (!call.IsTrue("stream"))
        {
            await JsonResponse.WriteAsync(call.Context, StatusCodes.Status200OK, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = created,
                ["model"] = call.Model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject
                    {
                        ["role"] = "assistant",
                        ["content"] = Simulation.Text(outputTokens),
                        ["refusal"] = null,
                    },
                    ["logprobs"] = null,
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = OpenAiUsage.Create(inputTokens, outputTokens),
            });
            return;
        }

        var includeUsage = OpenAiUsage.Requested(call);
        JsonObject Chunk(JsonArray choices)
        {
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = created,
                ["model"] = call.Model,
                ["choices"] = choices,
            };
            if (includeUsage)
            {
                chunk["usage"] = null;
            }

            return chunk;
        }

        JsonObject Choice(JsonObject delta, string? finishReason) => Chunk(new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        }));

        var events = ServerSentEvents.Start(call.Context);
        await events.WriteAsync(null, Choice(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null));
        for (var i = 0; i < outputTokens; i++)
        {
            await simulation.BeforeTokenAsync(call.Aborted);
            await events.WriteAsync(null, Choice(new JsonObject { ["content"] = Simulation.Delta(i) }, null));
        }

        await events.WriteAsync(null, Choice(new JsonObject(), "stop"));
        if (includeUsage)
        {
            var usageChunk = Chunk([]);
            usageChunk["usage"] = OpenAiUsage.Create(inputTokens, outputTokens);
            await events.WriteAsync(null, usageChunk);
        }

        await events.WriteDoneAsync();
    }
}
