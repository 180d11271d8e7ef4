using CredentialBroker.Client;
using CredentialBroker.Client.Identity;
using CredentialBroker.Client.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the credential broker client.</summary>
public static class CredentialBrokerClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ICredentialProvider"/>, kept valid in the background, and a hosted service that obtains the
    /// first credential before the host finishes starting (the host fails to start if it cannot).
    /// </summary>
    public static IServiceCollection AddCredentialBrokerClient(this IServiceCollection services, Action<CredentialBrokerClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<CredentialBrokerClientOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialBrokerClientOptions>, CredentialBrokerClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICallerTokenSource>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CredentialBrokerClientOptions>>().Value;
            return !string.IsNullOrWhiteSpace(options.JwtFile) ? new JwtFileTokenSource(options.JwtFile)
                : !string.IsNullOrWhiteSpace(options.AccessToken) ? new StaticTokenSource(options.AccessToken)
                : new CertificateIdentity();
        });
        services.TryAddSingleton(sp => BrokerConnection.Create(sp.GetRequiredService<IOptions<CredentialBrokerClientOptions>>().Value));
        services.TryAddSingleton<CredentialManager>();
        services.TryAddSingleton<ICredentialProvider>(sp => sp.GetRequiredService<CredentialManager>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CredentialBrokerStartupService>());
        return services;
    }

    /// <summary>Attaches the broker key to this client's requests in the given style, refreshing it once on a 401.</summary>
    public static IHttpClientBuilder AddCredentialBrokerKey(this IHttpClientBuilder builder, CredentialKeyStyle style = CredentialKeyStyle.OpenAi) =>
        builder.AddHttpMessageHandler(sp => new CredentialBrokerKeyHandler(
            sp.GetRequiredService<ICredentialProvider>(), style, sp.GetService<ILogger<CredentialBrokerKeyHandler>>()));

    /// <summary>For clients that call other agents: propagates <see cref="BrokerCallDepth"/> plus one in the Broker-Call-Depth header.</summary>
    public static IHttpClientBuilder AddBrokerCallDepthPropagation(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(() => new BrokerCallDepthHandler());
}
