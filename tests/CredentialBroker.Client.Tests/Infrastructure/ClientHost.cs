using CredentialBroker.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CredentialBroker.Client.Tests.Infrastructure;

/// <summary>A minimal generic host with the client registered, as a workload would have it.</summary>
internal static class ClientHost
{
    public static IHost Build(Action<CredentialBrokerClientOptions> configure, TimeProvider? time = null, RecordingLoggerProvider? logs = null, Action<IServiceCollection>? services = null, Action<IServiceCollection>? afterClient = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        services?.Invoke(builder.Services);
        builder.Services.AddCredentialBrokerClient(configure);
        afterClient?.Invoke(builder.Services);
        return builder.Build();
    }

    public static ICredentialProvider Credentials(this IHost host) => host.Services.GetRequiredService<ICredentialProvider>();

    public static CredentialManager Manager(this IHost host) => host.Services.GetRequiredService<CredentialManager>();

    /// <summary>Polls until the condition holds; background work runs on the thread pool after a fake clock advance.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(20);
        }
    }
}
