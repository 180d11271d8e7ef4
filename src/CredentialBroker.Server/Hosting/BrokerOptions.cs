using System.ComponentModel.DataAnnotations;

namespace CredentialBroker.Server.Hosting;

/// <summary>The <c>Broker</c> configuration section.</summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    /// <summary>
    /// Admin token accepted before any access token exists (first set-up). At least 32 characters.
    /// Leave unset once admins have their own tokens.
    /// </summary>
    [MinLength(32, ErrorMessage = "Broker:BootstrapAdminToken must be at least 32 characters; generate one with 'openssl rand -base64 32'.")]
    public string? BootstrapAdminToken { get; set; }

    /// <summary>Base URL that IssueCredential returns as the place to send provider calls.</summary>
    [Required, Url]
    public string GatewayBaseUrl { get; set; } = "http://localhost:5081";

    /// <summary>
    /// Master key (base64 of 32 bytes) that encrypts provider root keys. Prefer
    /// <see cref="MasterKeyFile"/>; without either, providers cannot be registered with a root key.
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>File holding the base64 master key.</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>
    /// Master keys being rotated out (base64), still accepted for decryption. At start-up every root
    /// key wrapped under one of them is re-wrapped under the current master key; once the log says
    /// so, remove them. Files work too: <see cref="PreviousMasterKeyFiles"/>.
    /// </summary>
    public List<string> PreviousMasterKeys { get; set; } = [];

    /// <summary>Files holding previous master keys (see <see cref="PreviousMasterKeys"/>).</summary>
    public List<string> PreviousMasterKeyFiles { get; set; } = [];

    /// <summary>Longest lifetime of an access token made by CreateAccessToken.</summary>
    public TimeSpan MaxAccessTokenTtl { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often readiness (database reachable, schema current) is checked.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Allow a plaintext (http://) listener on an address other than loopback. Off: the broker refuses
    /// to start that way, because keys and tokens would cross the network in the clear.
    /// </summary>
    public bool AllowPlaintextNonLoopback { get; set; }

    /// <summary>How long shutdown waits for calls in flight (gateway streams included) to finish and be metered.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the expiry job runs.</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Rows per batch for the expiry job and mass-revocation marking.</summary>
    [Range(10, 100_000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>Longest wait before committed audit events are sealed into the hash chain.</summary>
    public TimeSpan AuditSealInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>JWT issuers whose tokens authenticate workloads.</summary>
    public List<JwtIssuerOptions> JwtIssuers { get; set; } = [];

    /// <summary>PEM file of the CA(s) that sign workload client certificates (mTLS). Unset: client certificates are not accepted.</summary>
    public string? ClientCertificateCaFile { get; set; }

    /// <summary>The gateway: request limits, budget time zone, caching and metering.</summary>
    public Gateway.GatewayOptions Gateway { get; set; } = new();

    /// <summary>Approvals of high-risk tools: default and longest lifetime.</summary>
    public Approvals.ApprovalOptions Approvals { get; set; } = new();

    /// <summary>Metrics and traces: Prometheus at /metrics, OTLP export.</summary>
    public Telemetry.TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Log format; secrets are redacted from every log line.</summary>
    public Telemetry.BrokerLoggingOptions Logging { get; set; } = new();

    /// <summary>Usage data retention: raw events by monthly partition, hourly roll-ups.</summary>
    public Budgets.UsageOptions Usage { get; set; } = new();

    /// <summary>Thresholds of the compliance report (brokerctl report compliance).</summary>
    public Reports.ComplianceOptions Compliance { get; set; } = new();

    /// <summary>Webhooks that receive audit events (anomalies, suspensions, revocations, ...) as JSON or Slack messages.</summary>
    public List<Webhooks.WebhookOptions> Webhooks { get; set; } = [];

    /// <summary>This replica among the others: its name, heartbeat (rate limits are shared among live replicas), job failover.</summary>
    public Cluster.ReplicaOptions Replica { get; set; } = new();
    /// <summary>Anomaly detection: baselines, thresholds, ceilings and actions per risk tier.</summary>
    public Anomalies.AnomalyOptions Anomalies { get; set; } = new();
    /// <summary>Offboarding and stale credentials: ownerless sweep, owner directory sync, per-tier staleness.</summary>
    public Governance.GovernanceOptions Governance { get; set; } = new();
    /// <summary>HashiCorp Vault as a root-key store for providers registered with a root_key_ref.</summary>
    public Providers.Vault.VaultOptions Vault { get; set; } = new();
    /// <summary>Direct delivery of real provider keys: upstream deletion retries and shadow-key reconciliation.</summary>
    public Delivery.DeliveryOptions Delivery { get; set; } = new();
}

/// <summary>A trusted JWT issuer (Kubernetes service accounts, SPIFFE JWT-SVIDs, an OIDC provider).</summary>
public sealed class JwtIssuerOptions
{
    /// <summary>Expected <c>iss</c> claim.</summary>
    [Required]
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Expected <c>aud</c> claim.</summary>
    [Required]
    public string Audience { get; set; } = string.Empty;

    /// <summary>JWKS file with the issuer's public keys (re-read when it changes).</summary>
    public string? JwksFile { get; set; }

    /// <summary>JWKS URL with the issuer's public keys (cached, refreshed on unknown key ids).</summary>
    public string? JwksUrl { get; set; }

    /// <summary>Claim that names the workload identity.</summary>
    public string SubjectClaim { get; set; } = "sub";
}
