using System.Formats.Asn1;
using System.Security.Cryptography;
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
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    private readonly Lazy<X509Certificate2Collection?> _trusted = new(() =>
        options.Value.ClientCertificateCaFile is { } file ? LoadCa(file) : null);

    public IdentityResult Validate(X509Certificate2 certificate)
    {
        var trusted = _trusted.Value;
        if (trusted is null)
        {
            return IdentityResult.Failed("Client certificates are not accepted: no Broker:ClientCertificateCaFile is configured.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationTimeIgnored = false;

        // Kestrel's own check, which would demand clientAuth, is switched off; without this a server
        // certificate from the same CA would pass as a workload.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        if (!chain.Build(certificate))
        {
            return IdentityResult.Failed(Problem(certificate, chain, now));
        }

        string? spiffeId;
        try
        {
            spiffeId = SpiffeId(certificate);
        }
        catch (AsnContentException)
        {
            return IdentityResult.Failed("The client certificate's subject alternative name extension is malformed.");
        }

        return IdentityResult.Verified(spiffeId ?? certificate.Subject);
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

    private static string Problem(X509Certificate2 certificate, X509Chain chain, DateTime now)
    {
        var statuses = chain.ChainStatus.Select(s => s.Status).ToList();
        var detail = string.Join(", ", statuses);
        if (statuses.Contains(X509ChainStatusFlags.PartialChain) || statuses.Contains(X509ChainStatusFlags.UntrustedRoot))
        {
            return $"The client certificate is not issued by a CA this broker trusts (Broker:ClientCertificateCaFile); issuer '{certificate.Issuer}' ({detail}).";
        }

        if (certificate.NotAfter.ToUniversalTime() < now)
        {
            return $"The client certificate expired at {certificate.NotAfter.ToUniversalTime():u}.";
        }

        if (certificate.NotBefore.ToUniversalTime() > now)
        {
            return $"The client certificate is not yet valid; it is valid from {certificate.NotBefore.ToUniversalTime():u}.";
        }

        if (statuses.Contains(X509ChainStatusFlags.NotValidForUsage))
        {
            return "The client certificate is not valid for client authentication (its extended key usage lacks clientAuth).";
        }

        return $"The client certificate is not valid for this broker ({detail}).";
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
