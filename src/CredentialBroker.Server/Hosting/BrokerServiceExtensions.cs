using CredentialBroker.Server.Admin;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Governance;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.Server.Providers;
using CredentialBroker.Server.Revocation;
using CredentialBroker.Server.Telemetry;
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
        var services = builder.Services;

        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
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
        services.AddSingleton<RootKeyProtector>();
        services.AddSingleton<RootKeyRotation>();
        services.AddScoped<PurposeValidator>();
        services.AddSingleton<RevocationMarker>();
        services.AddHostedService(sp => sp.GetRequiredService<RevocationMarker>());
        services.AddSingleton<HealthServiceImpl>();

        services.AddSingleton<ChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed>());
        services.AddSingleton<GatewayDirectory>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<BudgetLedger>();
        services.AddHostedService(sp => sp.GetRequiredService<BudgetLedger>());
        services.AddSingleton<TokenEstimator>();
        services.AddSingleton<GatewayUpstream>();
        services.AddSingleton<GatewayHandler>();
        services.AddSingleton<UsageRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageRecorder>());
        services.AddHttpForwarder();

        services.AddGrpc(options =>
        {
            options.Interceptors.Add<AuthInterceptor>();
            options.MaxReceiveMessageSize = 1024 * 1024;
        });
        services.AddGrpcReflection();
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
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcReflectionService();
        app.MapGateway();
        app.MapBrokerTelemetry();
        app.MapGet("/", () => "CredentialBroker: gRPC API (credentialbroker.v1) and the AI gateway (/openai/v1, /anthropic/v1). See README.md.");
        return app;
    }

    /// <summary>Waits for the database, applies migrations and reports SERVING.</summary>
    public static async Task PrepareAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.Services.GetRequiredService<DatabaseStartup>().EnsureReadyAsync(cancellationToken);
        await app.Services.GetRequiredService<RootKeyRotation>().RewrapAsync(cancellationToken);
        app.Services.GetRequiredService<HealthServiceImpl>().SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
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

    private static string ReadConnectionString(IConfiguration configuration)
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
