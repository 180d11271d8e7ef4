using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CredentialBroker.Simulator;

/// <summary>
/// A self-hosted simulated provider on a free loopback port (HTTP/1.1), serving
/// <see cref="SimulatedProviderEndpoints.MapSimulatedProvider"/>. Disposing stops it.
/// </summary>
public sealed class SimulatedProvider : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatedProvider(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:41234</c>: no trailing slash, no <c>/v1</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Starts the simulator and returns once it is listening.</summary>
    /// <param name="options">Behaviour, read on every request; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<SimulatedProvider> StartAsync(SimulatedProviderOptions? options = null, CancellationToken cancellationToken = default)
    {
        // The empty builder reads no appsettings or environment, so a host's Kestrel endpoints cannot leak in.
        // HTTP/1.1 only: without TLS Kestrel cannot offer HTTP/2 beside it, and http:// clients use HTTP/1.1.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        builder.Services.AddRoutingCore();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);

        var app = builder.Build();
        app.MapSimulatedProvider(options);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        return new SimulatedProvider(app, addresses.Single().TrimEnd('/'));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
