using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Providers.Vault;

internal static class VaultExtensions
{
    /// <summary>The Vault client, with its own HTTP client that trusts Broker:Vault:CaFile when set.</summary>
    public static IServiceCollection AddVault(this IServiceCollection services)
    {
        services.AddSingleton<VaultClient>();
        services.AddSingleton<IVaultClient>(sp => sp.GetRequiredService<VaultClient>());
        services.AddHttpClient(VaultClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => Handler(sp.GetRequiredService<IOptions<BrokerOptions>>().Value.Vault.CaFile));
        return services;
    }

    private static SocketsHttpHandler Handler(string? caFile)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (caFile is null)
        {
            return handler;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            // Only the chain may fail the system check: the name must still match.
            if (errors == SslPolicyErrors.None || certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
            {
                return errors == SslPolicyErrors.None;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return handler;
    }
}
