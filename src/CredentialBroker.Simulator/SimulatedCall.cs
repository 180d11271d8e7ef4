using System.Text.Json;
using CredentialBroker.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator;

/// <summary>An authorized request with a JSON object body naming a model, ready for a route's handler.</summary>
internal sealed class SimulatedCall(HttpContext context, JsonElement body, string model, Simulation simulation)
{
    public HttpContext Context { get; } = context;

    public JsonElement Body { get; } = body;

    public string Model { get; } = model;

    public Simulation Simulation { get; } = simulation;

    public CancellationToken Aborted => Context.RequestAborted;

    /// <summary>A top-level field, or an undefined element when absent.</summary>
    public JsonElement Property(string name) => Body.TryGetProperty(name, out var value) ? value : default;

    public bool IsTrue(string name) => Property(name).ValueKind == JsonValueKind.True;

    /// <summary>The first of <paramref name="names"/> that is set (not null), which must be a positive integer.</summary>
    public int? Maximum(params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            var value = Property(name);
            if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            {
                continue;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var maximum) || maximum < 1)
            {
                throw new InvalidRequestException($"'{name}' must be a positive integer.", name);
            }

            return maximum;
        }

        return null;
    }
}
