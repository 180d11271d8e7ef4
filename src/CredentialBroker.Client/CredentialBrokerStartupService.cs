using Microsoft.Extensions.Hosting;

namespace CredentialBroker.Client;

/// <summary>
/// Obtains the first credential while the host starts, so the app never serves without one; stops renewal on
/// shutdown.
/// </summary>
internal sealed class CredentialBrokerStartupService(CredentialManager manager) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => manager.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => manager.DisposeAsync().AsTask();
}
