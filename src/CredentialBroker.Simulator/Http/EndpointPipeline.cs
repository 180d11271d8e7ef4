using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CredentialBroker.Simulator.Http;

/// <summary>What every route does before its handler: authentication, then JSON and <c>model</c> checks.</summary>
internal static class EndpointPipeline
{
    public static RequestDelegate Get(ProviderDialect dialect, RequestDelegate handler) => async context =>
    {
        if (!dialect.IsAuthorized(context.Request))
        {
            await dialect.UnauthorizedAsync(context);
            return;
        }

        await handler(context);
    };

    public static RequestDelegate Post(ProviderDialect dialect, Simulation simulation, Func<SimulatedCall, Task> handler) => async context =>
    {
        if (!dialect.IsAuthorized(context.Request))
        {
            await dialect.UnauthorizedAsync(context);
            return;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        }
        catch (JsonException)
        {
            await dialect.InvalidRequestAsync(context, "The request body is not valid JSON.", null);
            return;
        }

        using (document)
        {
            var body = document.RootElement;
            if (body.ValueKind != JsonValueKind.Object)
            {
                await dialect.InvalidRequestAsync(context, "The request body must be a JSON object.", null);
                return;
            }

            if (!body.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(model.GetString()))
            {
                await dialect.InvalidRequestAsync(context, "'model' is required.", "model");
                return;
            }

            try
            {
                await handler(new SimulatedCall(context, body, model.GetString()!, simulation));
            }
            catch (InvalidRequestException e) when (!context.Response.HasStarted)
            {
                await dialect.InvalidRequestAsync(context, e.Message, e.Param);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away mid-stream: nothing is left to answer.
            }
        }
    };
}
