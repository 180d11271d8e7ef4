using CredentialBroker.Server.Admin;
using CredentialBroker.Server.Anomalies;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Cluster;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Delivery;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Governance;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Providers;
using CredentialBroker.Server.Reports;
using CredentialBroker.Server.Providers.Vault;
using CredentialBroker.Server.Revocation;
using CredentialBroker.Server.Telemetry;
using CredentialBroker.Server.Webhooks;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Hosting;

/// <summary>Composition of the broker: <c>builder.AddCredentialBroker()</c> and <c>app.MapCredentialBroker()</c>.</summary>
public static class BrokerServiceExtensions
{
    public static WebApplicationBuilder AddCredentialBroker(this WebApplicationBuilder builder)
    {
        var connectionString = ReadConnectionString(builder.Configuration);
        RefusePlaintextOffLoopback(builder.Configuration);
        var services = builder.Services;

        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        // Shutdown: listeners stop taking calls, calls in flight (gateway streams too) get this long to
        // finish and be metered, then usage is flushed and running Quartz jobs complete.
        var shutdownTimeout = builder.Configuration.GetValue<TimeSpan?>($"{BrokerOptions.Section}:{nameof(BrokerOptions.ShutdownTimeout)}") ?? new BrokerOptions().ShutdownTimeout;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout);
        services.AddHttpClient();

        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(Tuned(connectionString)).Build());
        services.AddDbContextPool<BrokerDbContext>((sp, options) => options
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .UseSnakeCaseNamingConvention());
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<DatabaseStartup>();

        services.AddSingleton<AuditSealer>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditSealer>());
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<AccessGuard>();
        services.AddSingleton<JwtValidator>();
        services.AddSingleton<ClientCertificateValidator>();
        services.AddScoped<CallerAuthenticator>();
        services.AddSingleton<CallerCache>();
        services.AddSingleton<RootKeyProtector>();
        services.AddSingleton<RootKeyRotation>();
        services.AddSingleton<RootKeySource>();
        services.AddVault();
        services.AddDirectDelivery();
        services.AddScoped<PurposeValidator>();
        services.AddSingleton<RevocationMarker>();
        services.AddHostedService(sp => sp.GetRequiredService<RevocationMarker>());
        services.AddSingleton<HealthServiceImpl>();
        services.AddSingleton<BrokerHealth>();
        services.AddHostedService(sp => sp.GetRequiredService<BrokerHealth>());

        services.AddSingleton<ChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed>());
        services.AddSingleton<GatewayDirectory>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<BudgetLedger>();
        services.AddHostedService(sp => sp.GetRequiredService<BudgetLedger>());
        services.AddSingleton<IssuanceWriter>();
        services.AddSingleton<IssuanceLookup>();
        services.AddHostedService(sp => sp.GetRequiredService<IssuanceWriter>());
        services.AddSingleton<TokenEstimator>();
        services.AddSingleton<GatewayUpstream>();
        services.AddSingleton<GatewayHandler>();
        services.AddSingleton<UsageRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageRecorder>());
        services.AddHttpForwarder();
        services.AddHttpClient(WebhookSender.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddSingleton<WebhookSender>();
        services.AddReports();
        services.AddHostedService<WebhookDispatcher>();
        services.AddAnomalies();

        services.AddGrpc(options =>
        {
            options.Interceptors.Add<AuthInterceptor>();
            options.MaxReceiveMessageSize = 1024 * 1024;
        });
        services.AddGrpcReflection();
        builder.AddReplicaRegistry();
        builder.AddGovernance(connectionString);
        builder.AddBrokerTelemetry();

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            // Certificates are requested, never required, and verified against the broker's own CA by
            // ClientCertificateValidator, not against the machine's roots.
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = (_, _, _) => true;
        }));
        return builder;
    }

    public static WebApplication MapCredentialBroker(this WebApplication app)
    {
        app.MapGrpcService<CredentialApi>();
        app.MapGrpcService<RevocationApi>();
        app.MapGrpcService<AdminApi>();
        app.MapGrpcService<AuditApi>();
        app.MapGrpcService<IdentityApi>();
        app.MapGrpcService<UsageApi>();
        app.MapGrpcService<ReportApi>();
        app.MapGrpcService<Approvals.ApprovalApi>();
        app.MapGrpcService<AnomalyApi>();
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcReflectionService();
        app.MapGateway();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (BrokerHealth health) => health.Problem is { } problem
            ? Results.Json(new { status = "not ready", reason = problem }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new { status = "ready" }));
        app.MapBrokerTelemetry();
        app.MapGet("/", () => "CredentialBroker: gRPC API (credentialbroker.v1) and the AI gateway (/openai/v1, /anthropic/v1). See README.md.");
        return app;
    }

    /// <summary>Waits for the database, applies migrations and reports SERVING.</summary>
    public static async Task PrepareAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.Services.GetRequiredService<DatabaseStartup>().EnsureReadyAsync(cancellationToken);
        await app.Services.GetRequiredService<RootKeyRotation>().RewrapAsync(cancellationToken);
        app.Services.GetRequiredService<BrokerHealth>().MarkReady();
    }

    /// <summary>
    /// The broker's hot paths run the same few statements all the time: prepare them automatically
    /// and keep them across pool checkouts (no DISCARD ALL; the broker sets no session state and
    /// releases its session advisory locks in finally blocks). Explicit settings in the
    /// connection string win.
    /// </summary>
    private static string Tuned(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Keys, tokens and prompts must not cross a network in the clear: an http:// listener is
    /// accepted only on a loopback address unless Broker:AllowPlaintextNonLoopback says otherwise
    /// (e.g. behind a TLS-terminating mesh sidecar).
    /// </summary>
    private static void RefusePlaintextOffLoopback(IConfiguration configuration)
    {
        if (configuration.GetValue<bool>($"{BrokerOptions.Section}:{nameof(BrokerOptions.AllowPlaintextNonLoopback)}"))
        {
            return;
        }

        var urls = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(e => (Name: $"Kestrel:Endpoints:{e.Key}:Url", Url: e["Url"]))
            .Concat((configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => (Name: "urls (ASPNETCORE_URLS)", Url: (string?)u)));
        foreach (var (name, url) in urls)
        {
            if (url is null || !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var host = url["http://".Length..].Split('/')[0];
            host = host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Split(':')[0];
            var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));
            if (!loopback)
            {
                throw new BrokerConfigurationException(
                    $"{name} is '{url}': a plaintext listener on a non-loopback address would carry keys and tokens in the clear. " +
                    "Use https:// with Kestrel:Endpoints:<name>:Certificate:Path and :KeyPath, or, if TLS is terminated in front of the broker " +
                    $"(a mesh sidecar), set {BrokerOptions.Section}:{nameof(BrokerOptions.AllowPlaintextNonLoopback)}=true.");
            }
        }
    }

    internal static string ReadConnectionString(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Broker");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new BrokerConfigurationException(
                "ConnectionStrings:Broker is not set. Point it at PostgreSQL (environment: ConnectionStrings__Broker=\"Host=...;Database=...;Username=...;Password=...\"), " +
                "or run 'dotnet run --project src/CredentialBroker.Server -- dev' for a throwaway local broker.");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new BrokerConfigurationException($"ConnectionStrings:Broker is not a valid PostgreSQL connection string: {ex.Message}", ex);
        }

        return connectionString;
    }
}
