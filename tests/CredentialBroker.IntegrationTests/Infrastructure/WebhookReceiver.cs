using System.Net;
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
/// A webhook receiver on a free loopback port: records every POST and answers 204, or the failure a
/// test queued for requests whose body contains a marker.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<(string Marker, int StatusCode, int Remaining)> _failures = [];
    private WebApplication? _app;

    /// <summary>Where the receiver listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

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

    /// <summary>Answers the next <paramref name="times"/> deliveries whose body contains <paramref name="marker"/> with <paramref name="statusCode"/>.</summary>
    public void FailWhenBodyContains(string marker, int statusCode, int times)
    {
        lock (_lock)
        {
            _failures.Add((marker, statusCode, times));
        }
    }

    /// <summary>Requests whose body contains <paramref name="marker"/>, once at least <paramref name="count"/> arrived (or the timeout passed).</summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForAsync(string marker, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var matching = Requests.Where(r => r.Body.Contains(marker, StringComparison.Ordinal)).ToList();
            if (matching.Count >= count || DateTime.UtcNow > deadline)
            {
                return matching;
            }

            await Task.Delay(50);
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        receiver._app = builder.Build();
        receiver._app.Run(receiver.HandleAsync);
        await receiver._app.StartAsync();
        receiver.BaseUrl = receiver._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var status = StatusCodes.Status204NoContent;
        lock (_lock)
        {
            _requests.Add(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, headers, body));
            var index = _failures.FindIndex(f => f.Remaining > 0 && body.Contains(f.Marker, StringComparison.Ordinal));
            if (index >= 0)
            {
                var failure = _failures[index];
                status = failure.StatusCode;
                _failures[index] = failure with { Remaining = failure.Remaining - 1 };
            }
        }

        context.Response.StatusCode = status;
    }
}
