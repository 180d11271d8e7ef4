using CredentialBroker.Server.Persistence;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Hosting;

/// <summary>
/// Readiness: the broker serves only while PostgreSQL answers and its schema is current. Checked
/// every <see cref="BrokerOptions.HealthCheckInterval"/>; the result drives gRPC health (for the
/// whole server and each service), <c>/readyz</c>, and flips to NOT_SERVING as soon as shutdown
/// begins so load balancers stop sending before the listeners close. Liveness (<c>/healthz</c>)
/// only says the process answers: a database outage must not restart every replica.
/// </summary>
internal sealed partial class BrokerHealth(
    NpgsqlDataSource dataSource,
    SchemaMigrator migrator,
    HealthServiceImpl grpcHealth,
    IHostApplicationLifetime lifetime,
    IOptions<BrokerOptions> options,
    ILogger<BrokerHealth> logger) : BackgroundService
{
    private static readonly string[] _services =
    [
        string.Empty,
        V1.CredentialService.Descriptor.FullName,
        V1.RevocationService.Descriptor.FullName,
        V1.AdminService.Descriptor.FullName,
        V1.AuditService.Descriptor.FullName,
        V1.IdentityService.Descriptor.FullName,
        V1.UsageService.Descriptor.FullName,
    ];

    private volatile string? _problem = "starting";

    /// <summary>Null when ready, else why not.</summary>
    public string? Problem => _problem;

    /// <summary>Marks the broker ready after start-up has migrated the schema.</summary>
    public void MarkReady() => Set(null);

    /// <summary>Checks once now; returns the problem or null.</summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        string? problem;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var pending = await migrator.PendingAsync(timeout.Token);
            problem = pending.Count == 0 ? null : $"schema is not current: migrations {string.Join(", ", pending)} are not applied";
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // A broken pooled connection fails once; clear the pool so the next check opens a fresh one.
            dataSource.Clear();
            problem = "PostgreSQL is not reachable: " + ex.Message;
        }

        Set(lifetime.ApplicationStopping.IsCancellationRequested ? "shutting down" : problem);
        return _problem;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = lifetime.ApplicationStopping.Register(() => Set("shutting down"));
        using var timer = new PeriodicTimer(options.Value.HealthCheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (_problem == "starting")
                {
                    continue;
                }

                await CheckAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Set(string? problem)
    {
        var previous = _problem;
        _problem = problem;
        var status = problem is null ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing;
        foreach (var service in _services)
        {
            grpcHealth.SetStatus(service, status);
        }

        if (previous != problem && previous != "starting")
        {
            if (problem is null)
            {
                LogReady(logger);
            }
            else if (problem == "shutting down")
            {
                LogShuttingDown(logger);
            }
            else
            {
                LogNotReady(logger, problem);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health: ready again (database reachable, schema current).")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health: NOT_SERVING while shutting down, so load balancers stop sending.")]
    private static partial void LogShuttingDown(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health: not ready: {Problem}.")]
    private static partial void LogNotReady(ILogger logger, string problem);
}
