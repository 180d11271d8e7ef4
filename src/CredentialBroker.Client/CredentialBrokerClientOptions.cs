namespace CredentialBroker.Client;

/// <summary>Where the broker is, what to ask it for, and how the workload proves who it is.</summary>
public sealed class CredentialBrokerClientOptions
{
    /// <summary>The broker's gRPC address, e.g. <c>https://broker.internal:8443</c>. Required.</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>The purpose name to issue credentials for. Required.</summary>
    public string Purpose { get; set; } = string.Empty;

    /// <summary>The provider name; must be allowed by the purpose. Required.</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>Requested lifetime. Unset: the purpose's default TTL.</summary>
    public TimeSpan? Ttl { get; set; }

    /// <summary>A static broker access token. Exactly one of this, <see cref="JwtFile"/> and <see cref="ClientCertificateFile"/>.</summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// Path of a JWT (e.g. a Kubernetes projected service-account token). Re-read whenever the file changes,
    /// because the kubelet rotates it. Exactly one of this, <see cref="AccessToken"/> and <see cref="ClientCertificateFile"/>.
    /// </summary>
    public string? JwtFile { get; set; }

    /// <summary>
    /// PEM client certificate for mutual TLS (the broker maps its SPIFFE ID or subject to the workload).
    /// Needs <see cref="ClientKeyFile"/> and an https <see cref="Address"/>. Exactly one of this,
    /// <see cref="AccessToken"/> and <see cref="JwtFile"/>.
    /// </summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>PEM CA bundle to trust for the broker's server certificate instead of the machine's roots.</summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>How long start-up may wait for the first credential before the host fails to start.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Base of the exponential backoff between retries of transient failures.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap of the exponential backoff between retries of transient failures.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of each background call (renewal, re-issue).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
