using System.Collections.Concurrent;
using System.Diagnostics;
using CredentialBroker.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace CredentialBroker.IntegrationTests.Telemetry;

/// <summary>
/// A gateway broker with traces on (an OTLP endpoint on a closed loopback port: the exporter fails
/// quietly) and every finished span kept in <see cref="Spans"/>.
/// </summary>
public sealed class TelemetryFixture : GatewayFixture
{
    public ConcurrentQueue<Activity> Spans { get; } = new();

    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:Telemetry:OtlpEndpoint"] = "http://127.0.0.1:9",
    };

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new Collector(Spans)));

    private sealed class Collector(ConcurrentQueue<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => spans.Enqueue(data);
    }
}
