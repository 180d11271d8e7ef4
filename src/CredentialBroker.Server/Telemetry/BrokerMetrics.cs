using System.Diagnostics;
using System.Diagnostics.Metrics;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Policy;

namespace CredentialBroker.Server.Telemetry;

/// <summary>
/// The broker's own metrics (meter <c>CredentialBroker</c>). Call sites make one call each; tags carry
/// names and ids, never secrets. The observable gauges are registered by <see cref="BrokerGauges"/>.
/// </summary>
internal sealed class BrokerMetrics
{
    public const string MeterName = "CredentialBroker";

    private static readonly double[] _lagBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly Counter<long> _issued;
    private readonly Histogram<double> _issueDuration;
    private readonly Counter<long> _gatewayRequests;
    private readonly Counter<long> _gatewayDenials;
    private readonly Histogram<double> _gatewayDuration;
    private readonly Counter<long> _spend;
    private readonly Counter<long> _tokens;
    private readonly Histogram<double> _propagationLag;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _jobFailures;

    public BrokerMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _issued = Meter.CreateCounter<long>("broker.credentials.issued", "{credential}", "Credentials issued.");
        _issueDuration = Meter.CreateHistogram<double>("broker.credentials.issue.duration", "ms", "Time to issue a credential (IssueCredential, successful calls).");
        _gatewayRequests = Meter.CreateCounter<long>("broker.gateway.requests", "{request}", "Gateway calls by endpoint and outcome (denied, success, upstream_error, ...).");
        _gatewayDenials = Meter.CreateCounter<long>("broker.gateway.denials", "{request}", "Gateway calls refused before forwarding, by denial code.");
        _gatewayDuration = Meter.CreateHistogram<double>("broker.gateway.duration", "ms", "Gateway call duration, checks and forwarding included.");
        _spend = Meter.CreateCounter<long>("broker.spend.micro_usd", "{micro_usd}", "Spend written to the usage log, in micro-USD.");
        _tokens = Meter.CreateCounter<long>("broker.tokens", "{token}", "Tokens written to the usage log (kind = input or output).");
        _propagationLag = Meter.CreateHistogram("broker.revocation.propagation_lag", "ms",
            "From a change's announcement (database clock) to its receipt by this replica's caches.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = _lagBuckets });
        _jobDuration = Meter.CreateHistogram<double>("broker.jobs.duration", "ms", "Governance job run time.");
        _jobFailures = Meter.CreateCounter<long>("broker.jobs.failures", "{run}", "Governance job runs that failed.");
    }

    /// <summary>The meter itself, for the observable gauges.</summary>
    public Meter Meter { get; }

    public void CredentialIssued(string purpose, RiskTier tier, long startedTimestamp)
    {
        var tags = new TagList { { "purpose", purpose }, { "risk_tier", RiskTiers.ToDb(tier) } };
        _issued.Add(1, tags);
        _issueDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds, tags);
    }

    public void GatewayDenied(string endpoint, string code, long startedTimestamp)
    {
        _gatewayDenials.Add(1, new KeyValuePair<string, object?>("reason", code));
        GatewayFinished(endpoint, "denied", startedTimestamp);
        Activity.Current?.SetTag("broker.denial", code);
    }

    public void GatewayFinished(string endpoint, string outcome, long startedTimestamp)
    {
        var tags = new TagList { { "endpoint", endpoint }, { "outcome", outcome } };
        _gatewayRequests.Add(1, tags);
        _gatewayDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds, tags);
    }

    /// <summary>Spend and tokens of a batch of usage events that has been written.</summary>
    public void UsageWritten(IReadOnlyList<UsageRecord> batch)
    {
        if (!_spend.Enabled && !_tokens.Enabled)
        {
            return;
        }

        foreach (var r in batch)
        {
            var purpose = r.Credential.PurposeId.ToString();
            if (r.CostMicroUsd != 0)
            {
                _spend.Add(r.CostMicroUsd, new("owner_id", r.Credential.OwnerId.ToString()), new("purpose_id", purpose));
            }

            _tokens.Add(r.InputTokens, new("purpose_id", purpose), new("kind", "input"));
            _tokens.Add(r.OutputTokens, new("purpose_id", purpose), new("kind", "output"));
        }
    }

    /// <summary>A change announced at <paramref name="announcedAt"/> (the database's clock) reached this replica.</summary>
    public void ChangeReceived(ChangeKind kind, DateTimeOffset announcedAt)
    {
        // Real elapsed time between two real clocks: deliberately not the injectable TimeProvider, which tests fake.
        var lag = (TimeProvider.System.GetUtcNow() - announcedAt).TotalMilliseconds;
        _propagationLag.Record(Math.Max(0, lag), new KeyValuePair<string, object?>("kind", kind.ToString().ToLowerInvariant()));
    }

    public void JobStarted(string job) => _jobFailures.Add(0, new KeyValuePair<string, object?>("job", job));

    public void JobFinished(string job, TimeSpan runTime, bool failed)
    {
        var tag = new KeyValuePair<string, object?>("job", job);
        _jobDuration.Record(runTime.TotalMilliseconds, tag);
        if (failed)
        {
            _jobFailures.Add(1, tag);
        }
    }
}
