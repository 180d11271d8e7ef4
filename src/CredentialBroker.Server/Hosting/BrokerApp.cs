using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Hosting;

/// <summary>Builds and runs the broker host; used by Program, dev mode, tests and benchmarks alike.</summary>
public static class BrokerApp
{
    /// <summary>Builds the host. <paramref name="configure"/> may add configuration or replace services (e.g. the TimeProvider).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddCredentialBroker();
        var app = builder.Build();
        app.MapCredentialBroker();
        return app;
    }

    /// <summary>Builds, prepares the database and starts; returns the running host.</summary>
    public static async Task<WebApplication> StartAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var app = Build(args, configure);
        try
        {
            await app.PrepareAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs until shutdown; configuration problems end in one clear line and exit code 2.</summary>
    public static async Task<int> RunAsync(string[] args, Action<WebApplicationBuilder>? configure = null, Func<WebApplication, Task>? onStarted = null)
    {
        try
        {
            await using var app = await StartAsync(args, configure);
            if (onStarted is not null)
            {
                await onStarted(app);
            }

            await app.WaitForShutdownAsync();
            return 0;
        }
        catch (Exception ex) when (Describe(ex) is { } message)
        {
            await Console.Error.WriteLineAsync("credentialbroker: " + message);
            return 2;
        }
    }

    /// <summary>The operator-facing message for a start-up failure caused by configuration, or null.</summary>
    internal static string? Describe(Exception ex) => ex switch
    {
        BrokerConfigurationException c => c.Message,
        OptionsValidationException o => "invalid configuration: " + string.Join(" ", o.Failures),
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerException!),
        InvalidOperationException { InnerException: { } inner } => Describe(inner),
        IOException io when io.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase) =>
            io.Message + " Another process holds the port; change Kestrel:Endpoints:<name>:Url.",
        _ => null,
    };
}
