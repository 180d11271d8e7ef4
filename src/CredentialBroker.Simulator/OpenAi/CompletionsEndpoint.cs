using System.Text.Json.Nodes;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.OpenAi;

/// <summary><c>POST /v1/completions</c> (legacy text completions), whole or streamed.</summary>
internal static class CompletionsEndpoint
{
    public static async Task HandleAsync(SimulatedCall call)
    {
        var simulation = call.Simulation;
        var inputTokens = InputTokens.AtLeastOne(InputTokens.Prompts(call.Property("prompt")));
        var outputTokens = simulation.OutputTokens(call.Maximum("max_tokens"));
        var id = "cmpl-sim-" + simulation.NextSequence();
        var created = simulation.UnixNow();
        var includeUsage = !call.IsTrue("stream") || OpenAiUsage.Requested(call);

        JsonObject Completion(string text, string? finishReason, bool streaming)
        {
            var completion = new JsonObject
            {
                ["id"] = id,
                ["object"] = "text_completion",
                ["created"] = created,
                ["model"] = call.Model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["text"] = text,
                    ["index"] = 0,
                    ["logprobs"] = null,
                    ["finish_reason"] = finishReason,
                }),
            };
            if (includeUsage)
            {
                completion["usage"] = streaming ? null : OpenAiUsage.Create(inputTokens, outputTokens);
            }

            return completion;
        }

        if (!call.IsTrue("stream"))
        {
            await JsonResponse.WriteAsync(call.Context, StatusCodes.Status200OK, Completion(Simulation.Text(outputTokens), "stop", streaming: false));
            return;
        }

        var events = ServerSentEvents.Start(call.Context);
        for (var i = 0; i < outputTokens; i++)
        {
            await simulation.BeforeTokenAsync(call.Aborted);
            await events.WriteAsync(null, Completion(Simulation.Delta(i), null, streaming: true));
        }

        await events.WriteAsync(null, Completion(string.Empty, "stop", streaming: true));
        if (includeUsage)
        {
            var usageChunk = Completion(string.Empty, null, streaming: false);
            usageChunk["choices"] = new JsonArray();
            await events.WriteAsync(null, usageChunk);
        }

        await events.WriteDoneAsync();
    }
}
