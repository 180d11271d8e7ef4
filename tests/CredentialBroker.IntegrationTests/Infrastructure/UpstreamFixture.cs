using System.Net;
using CredentialBroker.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Infrastructure;

/// <summary>
/// A simulated AI provider upstream (<see cref="SimulatedProviderEndpoints.MapSimulatedProvider"/>) on a
/// free loopback port, behind a middleware that records every request and injects the faults a test asks
/// for. Use it as a class fixture, or call <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/>.
/// </summary>
public sealed class UpstreamFixture : IAsyncLifetime
{
    private readonly Lock _lock = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Queue<(int StatusCode, string Body)> _failures = new();
    private WebApplication? _app;

    /// <summary>The simulator's behaviour; changes apply to later requests (e.g. a slow stream).</summary>
    public SimulatedProviderOptions Options { get; } = new();

    /// <summary>Keys the upstream accepts (Bearer or x-api-key); empty accepts any. Others get 401, as a provider answers a revoked key.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, bool> AcceptedKeys { get; } = new();

    /// <summary>How long every request waits before it is answered, by a failure or the simulator.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>Where the upstream listens, e.g. <c>http://127.0.0.1:41234</c> (no <c>/v1</c>).</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>A snapshot of the requests received so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public void ClearRequests()
    {
        lock (_lock)
        {
            _requests.Clear();
        }
    }

    /// <summary>Answers the next <paramref name="times"/> requests with this status and JSON body instead of the simulator.</summary>
    public void FailNext(int statusCode, string body, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(times);
        lock (_lock)
        {
            for (var i = 0; i < times; i++)
            {
                _failures.Enqueue((statusCode, body));
            }
        }
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        builder.Services.AddRoutingCore();
        _app = builder.Build();
        _app.Use(InterceptAsync);
        _app.MapSimulatedProvider(Options);
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task InterceptAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, leaveOpen: true);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        request.Body.Position = 0;
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

        (int StatusCode, string Body)? failure = null;
        lock (_lock)
        {
            _requests.Add(new RecordedRequest(request.Method, request.Path.Value ?? string.Empty, headers, body));
            if (_failures.TryDequeue(out var queued))
            {
                failure = queued;
            }
        }

        if (ResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(ResponseDelay, context.RequestAborted);
        }

        var presented = headers.TryGetValue("x-api-key", out var apiKey) ? apiKey
            : headers.TryGetValue("Authorization", out var authorization) ? authorization.Replace("Bearer ", string.Empty, StringComparison.Ordinal) : string.Empty;
        if (failure is null && !AcceptedKeys.IsEmpty && !AcceptedKeys.ContainsKey(presented))
        {
            failure = (401, "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
        }

        if (failure is { } f)
        {
            context.Response.StatusCode = f.StatusCode;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(f.Body, context.RequestAborted);
            return;
        }

        await next(context);
    }
}
