using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CredentialBroker.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace CredentialBroker.Client.Internal;

/// <summary>The client library's own channel to the broker, kept apart from any the application registers.</summary>
internal sealed class BrokerConnection(CallInvoker invoker, IDisposable? owned = null) : IDisposable
{
    public CredentialService.CredentialServiceClient Credentials { get; } = new(invoker);

    public static BrokerConnection ForAddress(string address) => Create(new CredentialBrokerClientOptions { Address = address });

    /// <summary>A channel with the options' TLS settings: a client certificate for mTLS and a CA bundle to trust.</summary>
    public static BrokerConnection Create(CredentialBrokerClientOptions options)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (!string.IsNullOrWhiteSpace(options.ClientCertificateFile))
        {
            using var pem = X509Certificate2.CreateFromPemFile(options.ClientCertificateFile, options.ClientKeyFile);
            // Re-import so the private key is usable by TLS on every platform.
            ssl.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }

        if (!string.IsNullOrWhiteSpace(options.TrustedCaFile))
        {
            var trusted = new X509Certificate2Collection();
            trusted.ImportFromPemFile(options.TrustedCaFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        var channel = GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = ssl } });
        return new BrokerConnection(channel.CreateCallInvoker(), channel);
    }

    public void Dispose() => owned?.Dispose();
}
