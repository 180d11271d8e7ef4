using System.Collections.Concurrent;
using System.Net;
using CredentialBroker.V1;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CredentialBroker.Cli.Tests.Infrastructure;

/// <summary>
/// A stand-in broker on loopback HTTP/2 that records the requests brokerctl sends and answers with canned
/// responses, for commands whose server side is not part of this project's broker yet.
/// </summary>
public sealed class RecordingBroker : IAsyncDisposable
{
    private readonly ConcurrentQueue<IMessage> _requests = new();
    private WebApplication? _app;

    public string Address { get; private set; } = string.Empty;

    /// <summary>What GetUsage answers.</summary>
    public GetUsageResponse UsageResponse { get; set; } = new();

    /// <summary>What ListPurposes answers (one page).</summary>
    public List<Purpose> Purposes { get; } = [];

    public static async Task<RecordingBroker> StartAsync()
    {
        var broker = new RecordingBroker();
        var builder = WebApplication.CreateSlimBuilder();

        // The broker's appsettings.json is copied next to the tests; its Kestrel endpoints must not apply here.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(broker);
        var app = builder.Build();
        app.MapGrpcService<RecordingAdminService>();
        app.MapGrpcService<RecordingUsageService>();
        await app.StartAsync();
        broker._app = app;
        broker.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return broker;
    }

    public void Record(IMessage request) => _requests.Enqueue(request);

    /// <summary>The one request of type <typeparamref name="T"/> received.</summary>
    public T Single<T>()
        where T : IMessage => Assert.Single(_requests.OfType<T>());

    /// <summary>True when no request of type <typeparamref name="T"/> was received.</summary>
    public bool None<T>()
        where T : IMessage => !_requests.OfType<T>().Any();

    /// <summary>Runs brokerctl against this broker with a token.</summary>
    public Task<CliResult> RunAsync(params string[] args) => Brokerctl.RunAsync([.. args, "--addr", Address, "--token", "t"]);

    /// <summary>Runs brokerctl with <paramref name="environment"/> against this broker with a token.</summary>
    public Task<CliResult> RunAsync(Cli.Infrastructure.CliEnvironment environment, params string[] args) =>
        Brokerctl.RunAsync(environment, [.. args, "--addr", Address, "--token", "t"]);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
