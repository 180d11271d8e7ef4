using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CredentialBroker.Server.Telemetry;

/// <summary>
/// Metrics, traces and logs: <c>builder.AddBrokerTelemetry()</c> (from <c>AddCredentialBroker</c>) and
/// <c>app.MapBrokerTelemetry()</c> (from <c>MapCredentialBroker</c>). See docs/TELEMETRY.md.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The Prometheus scrape path, served anonymously on every endpoint.</summary>
    public const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddBrokerTelemetry(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(BrokerOptions.Section);
        var options = section.GetSection(nameof(BrokerOptions.Telemetry)).Get<TelemetryOptions>() ?? new();
        builder.AddBrokerLogging(section.GetSection(nameof(BrokerOptions.Logging)).Get<BrokerLoggingOptions>() ?? new());

        var services = builder.Services;
        services.TryAddSingleton<BrokerMetrics>();
        services.TryAddSingleton<ActiveCredentialCounts>();
        services.TryAddSingleton<BrokerGauges>();
        if (!options.Enabled)
        {
            return builder;
        }

        var otlpEndpoint = string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? null : new Uri(options.OtlpEndpoint);
        var otlp = otlpEndpoint is not null || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        void Otlp(OtlpExporterOptions o)
        {
            if (otlpEndpoint is not null)
            {
                o.Endpoint = otlpEndpoint;
            }
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(BrokerMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter(Otlp);
                }
            });

        // Traces only go somewhere over OTLP: without it, none are collected (no cost on the hot path).
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(BrokerActivity.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(Otlp));
        }

        return builder;
    }

    public static WebApplication MapBrokerTelemetry(this WebApplication app)
    {
        // Built now so the gauges exist from the first scrape.
        app.Services.GetRequiredService<BrokerGauges>();
        if (app.Services.GetService<MeterProvider>() is not null)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath);
        }

        return app;
    }

    /// <summary>
    /// Console format (<c>Broker:Logging:Format</c>) and, whatever the format and the providers, secret
    /// redaction: the host's logger factory hands every provider redacted events.
    /// </summary>
    private static void AddBrokerLogging(this WebApplicationBuilder builder, BrokerLoggingOptions options)
    {
        switch (options.Format)
        {
            case "simple":
                break;
            case "json":
                builder.Logging.AddJsonConsole(json =>
                {
                    json.IncludeScopes = true;
                    json.UseUtcTimestamp = true;
                    json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                });
                break;
            default:
                throw new BrokerConfigurationException($"Broker:Logging:Format must be 'simple' or 'json', not '{options.Format}'.");
        }

        var configuration = builder.Configuration;
        var broker = configuration.GetSection(BrokerOptions.Section);
        var secrets = new List<string?> { broker[nameof(BrokerOptions.BootstrapAdminToken)], broker[nameof(BrokerOptions.MasterKey)] };
        secrets.AddRange(broker.GetSection(nameof(BrokerOptions.PreviousMasterKeys)).GetChildren().Select(c => c.Value));
        var redactor = new LogRedactor(secrets);

        var services = builder.Services;
        services.TryAddSingleton<LoggerFactory>();
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(sp.GetRequiredService<LoggerFactory>(), redactor)));
    }
}
