using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace CredentialBroker.Server.Gateway;

/// <summary>
/// Rewrites a gateway call for the provider: the upstream path, the provider's root key in place
/// of the caller's credential key, and none of the broker's own headers. Tells the meter what kind
/// of response came back.
/// </summary>
internal sealed class GatewayTransformer(string upstreamPath, WireFormat format, string rootKey, IReadOnlyList<string> removedHeaders, ResponseMeter meter)
    : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        foreach (var header in removedHeaders)
        {
            proxyRequest.Headers.Remove(header);
        }

        if (format == WireFormat.Anthropic)
        {
            proxyRequest.Headers.TryAddWithoutValidation("x-api-key", rootKey);
        }
        else
        {
            proxyRequest.Headers.TryAddWithoutValidation("Authorization", "Bearer " + rootKey);
        }

        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(upstreamPath), httpContext.Request.QueryString);
        proxyRequest.Headers.Host = null;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null)
        {
            var mediaType = proxyResponse.Content.Headers.ContentType?.MediaType;
            meter.Begin(string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase), (int)proxyResponse.StatusCode);
        }

        return await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}

/// <summary>The one HTTP client the gateway forwards with: no proxy, no redirects, no decompression, no cookies.</summary>
internal sealed class GatewayUpstream : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        // Outgoing spans are recorded (telemetry), but no trace context is sent to providers.
        ActivityHeadersPropagator = System.Diagnostics.DistributedContextPropagator.CreateNoOutputPropagator(),
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    });

    public void Dispose() => Invoker.Dispose();
}
