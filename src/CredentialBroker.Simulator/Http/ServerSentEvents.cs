using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.Http;

/// <summary>Writes <c>text/event-stream</c> events straight to the response, flushing after each one.</summary>
internal sealed class ServerSentEvents
{
    private readonly HttpResponse _response;
    private readonly CancellationToken _aborted;

    private ServerSentEvents(HttpContext context)
    {
        _response = context.Response;
        _aborted = context.RequestAborted;
    }

    public static ServerSentEvents Start(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        return new ServerSentEvents(context);
    }

    /// <summary>One event: an <c>event:</c> line when <paramref name="eventName"/> is set, then <c>data: json</c>.</summary>
    public async Task WriteAsync(string? eventName, JsonNode data)
    {
        var body = _response.BodyWriter;
        if (eventName is not null)
        {
            body.Write("event: "u8);
            body.Write(Encoding.UTF8.GetBytes(eventName));
            body.Write("\n"u8);
        }

        body.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(body))
        {
            data.WriteTo(writer);
        }

        body.Write("\n\n"u8);
        await body.FlushAsync(_aborted);
    }

    /// <summary>OpenAI's end-of-stream marker.</summary>
    public async Task WriteDoneAsync()
    {
        _response.BodyWriter.Write("data: [DONE]\n\n"u8);
        await _response.BodyWriter.FlushAsync(_aborted);
    }
}
