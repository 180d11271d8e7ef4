using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.OpenAi;

/// <summary>
/// <c>POST /v1/embeddings</c>: one unit-length vector of <see cref="Dimensions"/> floats per input, derived
/// from a SHA-256 of the input so that equal inputs embed equally.
/// </summary>
internal static class EmbeddingsEndpoint
{
    public const int Dimensions = 8;

    public static async Task HandleAsync(SimulatedCall call)
    {
        var input = call.Property("input");
        var items = Items(input);
        if (items.Count == 0)
        {
            throw new InvalidRequestException("'input' must be a non-empty string or array.", "input");
        }

        // The openai npm client asks for base64 unless its caller chose a format, then decodes it.
        var base64 = call.Property("encoding_format") is { ValueKind: JsonValueKind.String } format && format.GetString() == "base64";
        var data = new JsonArray();
        for (var i = 0; i < items.Count; i++)
        {
            var vector = Vector(items[i]);
            data.Add(new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = base64 ? Base64(vector) : new JsonArray([.. vector.Select(v => (JsonNode)v)]),
            });
        }

        var inputTokens = InputTokens.AtLeastOne(InputTokens.Prompts(input));
        await JsonResponse.WriteAsync(call.Context, StatusCodes.Status200OK, new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = call.Model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = inputTokens, ["total_tokens"] = inputTokens },
        });
    }

    /// <summary>The inputs to embed: a string, or an array of strings or of token arrays; a flat token array is one input.</summary>
    private static List<string> Items(JsonElement input) => input.ValueKind switch
    {
        JsonValueKind.String => [input.GetString()!],
        JsonValueKind.Array when input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number) =>
            input.GetArrayLength() == 0 ? [] : [input.GetRawText()],
        JsonValueKind.Array => [.. input.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText())],
        _ => [],
    };

    private static float[] Vector(string item)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(item));
        var vector = new float[Dimensions];
        for (var i = 0; i < Dimensions; i++)
        {
            vector[i] = (BinaryPrimitives.ReadUInt16LittleEndian(hash.AsSpan(i * 2)) / (float)ushort.MaxValue * 2) - 1;
        }

        var length = MathF.Sqrt(vector.Sum(v => v * v));
        return length == 0 ? vector : [.. vector.Select(v => v / length)];
    }

    /// <summary>Little-endian float32s, as the API encodes <c>encoding_format: "base64"</c>.</summary>
    private static string Base64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }
}
