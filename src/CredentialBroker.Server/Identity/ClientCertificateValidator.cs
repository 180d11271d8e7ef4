using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Identity;

/// <summary>
/// Verifies workload client certificates against the configured CA (not the system roots) and
/// names the workload: the SPIFFE ID from the URI SAN, else the certificate subject.
/// </summary>
internal sealed class ClientCertificateValidator(IOptions<BrokerOptions> options, TimeProvider time)
{
    private readonly Lazy<X509Certificate2Collection?> _trusted = new(() =>
        options.Value.ClientCertificateCaFile is { } file ? LoadCa(file) : null);

    public IdentityResult Validate(X509Certificate2 certificate)
    {
        var trusted = _trusted.Value;
        if (trusted is null)
        {
            return IdentityResult.Failed("Client certificates are not accepted: no Broker:ClientCertificateCaFile is configured.");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate))
        {
            var reason = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()));
            return IdentityResult.Failed($"The client certificate is not valid for this broker ({reason}).");
        }

        return IdentityResult.Verified(SpiffeId(certificate) ?? certificate.Subject);
    }

    /// <summary>The first <c>spiffe://</c> URI in the subject alternative names, if any.</summary>
    internal static string? SpiffeId(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions["2.5.29.17"];
        if (extension is null)
        {
            return null;
        }

        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag.HasSameClassAndValue(uriTag))
            {
                var uri = reader.ReadCharacterString(UniversalTagNumber.IA5String, uriTag);
                if (uri.StartsWith("spiffe://", StringComparison.Ordinal))
                {
                    return uri;
                }
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }

        return null;
    }

    private static X509Certificate2Collection LoadCa(string file)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(file);
        if (collection.Count == 0)
        {
            throw new InvalidOperationException($"Broker:ClientCertificateCaFile '{file}' holds no PEM certificate.");
        }

        return collection;
    }
}
