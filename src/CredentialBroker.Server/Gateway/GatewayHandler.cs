using System.Diagnostics;
using System.Globalization;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Credentials;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Policy;
using CredentialBroker.Server.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace CredentialBroker.Server.Gateway;

/// <summary>
/// One call through the gateway, in DESIGN.md's order: key → status, expiry, watermarks → sender
/// constraint → scope (provider, endpoint, model, output cap) → depth → rate limits → budget
/// reservation → forward with the root key → meter → settle. Every refusal is audited and
/// answered in the provider's error shape before anything is forwarded or charged.
/// </summary>
internal sealed partial class GatewayHandler(
    GatewayDirectory directory,
    RateLimiter rates,
    BudgetLedger ledger,
    UsageRecorder usage,
    TokenEstimator estimator,
    GatewayUpstream upstream,
    IHttpForwarder forwarder,
    AuditLog audit,
    ClientCertificateValidator certificates,
    JwtValidator jwt,
    Anomalies.RealtimeChecks anomalies,
    IOptions<BrokerOptions> options,
    TimeProvider time,
    BrokerMetrics metrics,
    ILogger<GatewayHandler> logger)
{
    /// <summary>Request header carrying how deep in a chain of agents the call is (absent = 0).</summary>
    public const string CallDepthHeader = "Broker-Call-Depth";

    /// <summary>Request header carrying the caller's JWT for sender-constrained purposes (mTLS needs none).</summary>
    public const string IdentityHeader = "Broker-Identity";

    private static readonly string[] _hopHeaders = ["Authorization", "x-api-key", CallDepthHeader, IdentityHeader, "Cookie", "Accept-Encoding", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
        // Trace context stays inside: neither the broker's nor the caller's is sent to the provider.
        "traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context"];

    private readonly GatewayOptions _options = options.Value.Gateway;
    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.Gateway.BudgetTimeZone);

    public async Task HandleAsync(HttpContext http, GatewayEndpoint endpoint)
    {
        var started = Stopwatch.GetTimestamp();
        var format = GatewayEndpoints.Format(endpoint);
        var call = new Call(http, endpoint, format);
        try
        {
            if (await AdmitAsync(call) is { } denial)
            {
                await DenyAsync(call, denial);
                return;
            }

            if (endpoint == GatewayEndpoint.Models)
            {
                await WriteModelsAsync(call);
                return;
            }

            using var inFlight = anomalies.CallStarted(call.Credential!.Id);
            await ForwardAsync(call, started);
        }
        catch (GatewayRequestException ex)
        {
            await DenyAsync(call, GatewayDenial.BadRequest("invalid_request", ex.Message, ex.Param));
        }
    }

    /// <summary>Runs every check; returns the first refusal, or null with the call ready to forward (budget reserved).</summary>
    private async Task<GatewayDenial?> AdmitAsync(Call call)
    {
        using var activity = BrokerActivity.Source.StartActivity("gateway.admit");
        var http = call.Http;
        var ct = http.RequestAborted;

        // 1. The key: present, well-formed, known, active, unexpired, not covered by a mass revocation.
        var secret = ReadKey(http.Request);
        if (secret is null)
        {
            return GatewayDenial.Unauthorized("missing_api_key",
                "No API key: send the credential key (cbk_...) as 'Authorization: Bearer <key>' or 'x-api-key: <key>'. Issue one with IssueCredential or 'brokerctl'.");
        }

        if (!SecretKey.IsWellFormed(secret, SecretKey.CredentialKind))
        {
            return GatewayDenial.Unauthorized("invalid_api_key",
                secret.StartsWith("cbt_", StringComparison.Ordinal)
                    ? "This is a broker access token (cbt_...), not a credential key; issue a credential (cbk_...) with it and call the gateway with that."
                    : "The API key is not a broker credential key (cbk_ followed by 38 characters, with a valid checksum); copy it again from IssueCredential's response.");
        }

        var credential = await directory.FindCredentialAsync(SecretKey.Hash(secret), ct);
        if (credential is null)
        {
            return GatewayDenial.Unauthorized("invalid_api_key", "The API key is not known to this broker.");
        }

        call.Credential = credential;
        var now = time.GetUtcNow();
        if (credential.Status == CredentialState.Revoked || credential.RevokedByWatermark)
        {
            return GatewayDenial.Unauthorized("key_revoked", $"Credential {credential.Prefix} has been revoked; issue a new one.");
        }

        if (credential.Status == CredentialState.Expired || credential.ExpiresAt <= now)
        {
            return GatewayDenial.Unauthorized("key_expired", $"Credential {credential.Prefix} expired at {credential.ExpiresAt:u}; renew it before it expires, or issue a new one.");
        }

        if (credential.Status == CredentialState.Suspended)
        {
            return GatewayDenial.Forbidden("key_suspended",
                $"Credential {credential.Prefix} is suspended: anomaly {credential.SuspendedBy} was detected on it. Security must review the anomaly and reinstate the credential (brokerctl anomalies reinstate {credential.Id}) before it works again.");
        }

        if (credential.Ancestors.FirstOrDefault(a => !a.IsActive(now)) is { } ancestor)
        {
            return GatewayDenial.Unauthorized("key_revoked",
                $"Credential {credential.Prefix} was delegated from {ancestor.Prefix}, which is {ancestor.StateText(now)}; a delegated credential stops with its parent.");
        }

        var purpose = await directory.GetPurposeAsync(credential.PurposeId, ct);
        var owner = await directory.GetOwnerAsync(credential.OwnerId, ct);
        var provider = await directory.GetProviderAsync(credential.ProviderId, ct);
        call.Purpose = purpose;
        call.Owner = owner;
        call.Provider = provider;
        var policy = purpose.Policy;
        if (!owner.Active)
        {
            return GatewayDenial.Unauthorized("key_revoked", $"The owner of credential {credential.Prefix} has been deactivated.");
        }

        // 2. Sender constraint: a leaked key alone is useless. An identity presented without being
        // required is still checked and recorded with the usage (who really called).
        var presented = await PresentedIdentityAsync(http);
        call.CallerIdentity = presented?.Identity;
        anomalies.IdentityPresented(credential.Id, credential.WorkloadIdentity, presented?.Identity);
        if (policy.RequireSenderBinding && SenderMismatch(call, presented) is { } mismatch)
        {
            return mismatch;
        }

        // 3. Scope: provider and wire format, endpoint, model, output cap.
        var providerFormat = provider.Kind is "anthropic" ? WireFormat.Anthropic : provider.Kind is "openai" or "openai_compatible" ? WireFormat.OpenAI : (WireFormat?)null;
        if (providerFormat is null)
        {
            return new GatewayDenial(501, "provider_not_supported", $"Provider '{provider.Name}' is of kind '{provider.Kind}', which the gateway does not serve yet.");
        }

        if (providerFormat != call.Format)
        {
            var prefix = providerFormat == WireFormat.Anthropic ? "/anthropic/v1/" : "/openai/v1/";
            return new GatewayDenial(404, "wrong_provider", $"Credential {credential.Prefix} is for provider '{provider.Name}' ({provider.Kind}); call it under {prefix}.");
        }

        var endpointName = GatewayEndpoints.Name(call.Endpoint);
        if (policy.AllowedEndpoints.Count > 0 && !policy.AllowedEndpoints.Contains(endpointName))
        {
            return GatewayDenial.Forbidden("endpoint_not_allowed",
                $"Purpose '{purpose.Name}' does not allow the '{endpointName}' endpoint; it allows: {string.Join(", ", policy.AllowedEndpoints)}.");
        }

        if (credential.Endpoints.Count > 0 && !credential.Endpoints.Contains(endpointName))
        {
            return GatewayDenial.Forbidden("endpoint_not_allowed",
                $"Credential {credential.Prefix} is scoped to the endpoints {string.Join(", ", credential.Endpoints)}; it may not call '{endpointName}'.");
        }

        if (ParseDepth(http.Request, out var depth) is { } badDepth)
        {
            return badDepth;
        }

        call.Depth = depth;
        if (call.Endpoint == GatewayEndpoint.Models)
        {
            return CheckDepth(call);
        }

        if (provider.RootKey is null)
        {
            return new GatewayDenial(503, "provider_not_configured", $"Provider '{provider.Name}' cannot be called: {provider.RootKeyError}. An admin must fix it (UpdateProvider, or the broker's master key configuration).");
        }

        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return new GatewayDenial(413, "request_too_large", $"The request body is larger than the gateway's limit of {_options.MaxRequestBytes:N0} bytes (Broker:Gateway:MaxRequestBytes).");
        }

        var request = ProviderRequest.Parse(call.Endpoint, body.Value);
        call.Model = request.Model;
        call.PromptFingerprint = PromptFingerprint.Of(request);
        call.Streamed = request.Stream;
        if (!ModelAllowance.Allows(purpose.AllowedModels, request.Model) || !ModelAllowance.Allows(credential.Models, request.Model))
        {
            var allowed = credential.Models.Count > 0 ? credential.Models : purpose.AllowedModels;
            return GatewayDenial.Forbidden("model_not_allowed",
                $"Model '{Clip(request.Model)}' is not allowed for credential {credential.Prefix} (purpose '{purpose.Name}'); allowed: {string.Join(", ", allowed)}.", "model");
        }

        var price = Pricing.Find(provider.Prices, request.Model);
        var modelLimit = price?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens;
        var cap = policy.MaxOutputTokens > 0 ? Math.Min(policy.MaxOutputTokens, modelLimit) : modelLimit;
        int? outputCap = null;
        if (GatewayEndpoints.ProducesOutput(call.Endpoint))
        {
            if (request.MaxOutputTokens is { } asked && asked > cap)
            {
                var why = policy.MaxOutputTokens > 0 && policy.MaxOutputTokens <= modelLimit
                    ? $"purpose '{purpose.Name}' allows at most {policy.MaxOutputTokens} output tokens per call"
                    : $"model '{Clip(request.Model)}' allows at most {modelLimit} output tokens";
                return GatewayDenial.Forbidden("max_output_tokens_exceeded", $"The request asks for {asked} output tokens; {why}.", "max_tokens");
            }

            outputCap = request.MaxOutputTokens ?? cap;
        }

        // Several choices (n, best_of) each produce up to the cap.
        var worstOutput = (long)(outputCap ?? 0) * request.OutputChoiceCount;

        // 3b. High-risk tools need a live approval (two-person rule).
        if (await CheckToolApprovalsAsync(credential, purpose, request.ToolNames, now, ct) is { } notApproved)
        {
            return notApproved;
        }

        // 4. Depth.
        if (CheckDepth(call) is { } tooDeep)
        {
            return tooDeep;
        }

        // 5. Rate limits, on the worst case.
        var input = call.Endpoint == GatewayEndpoint.CountTokens ? 0 : estimator.EstimateInputTokens(request);
        var worstTokens = input + worstOutput;
        call.EstimatedInput = input;
        call.WorstTokens = worstTokens;
        call.Scopes =
        [
            new RateLimiter.Scope("credential", credential.Id, CredentialLimits.Effective(policy.CredentialLimits, credential.NarrowedLimits)),
            new RateLimiter.Scope("purpose", purpose.Id, policy.PurposeLimits),
            new RateLimiter.Scope("owner", owner.Id, owner.Limits),
        ];
        var rate = rates.TryAcquire(call.Scopes, worstTokens);
        if (!rate.IsAllowed)
        {
            call.Scopes = [];
            return new GatewayDenial(429, "rate_limit_exceeded", $"Rate limit reached: the {rate.Limit}." + (rate.RetryAfter is { } r ? $" Retry in {Math.Ceiling(r.TotalSeconds):0} s." : string.Empty),
                RetryAfter: rate.RetryAfter, ShouldRetry: rate.RetryAfter is not null);
        }

        // 6. Budgets: reserve the worst case, priced.
        long worstCost;
        if (call.Endpoint == GatewayEndpoint.CountTokens)
        {
            worstCost = 0;
        }
        else if (price is not null)
        {
            worstCost = Pricing.Cost(price, input, 0, worstOutput);
        }
        else if (policy.Unpriced == UnpricedPolicy.Cap)
        {
            worstCost = policy.UnpricedCapMicroUsd;
        }
        else
        {
            return GatewayDenial.Forbidden("unpriced_model",
                $"Model '{Clip(request.Model)}' has no price in provider '{provider.Name}''s price table, and purpose '{purpose.Name}' refuses calls it cannot price. Add a price (UpdateProvider) or set the purpose's unpriced policy to CAP.", "model");
        }

        call.Price = price;
        call.WorstCost = worstCost;
        var counters = Counters(call, now);
        if (counters.Count > 0 && call.Endpoint != GatewayEndpoint.CountTokens)
        {
            if (request.UsesStoredContext)
            {
                return GatewayDenial.BadRequest("stored_context_not_bounded",
                    "This request refers to context stored at the provider (previous_response_id, conversation, a stored prompt or an item reference), whose size the broker cannot see, " +
                    "so its cost cannot be bounded before it runs; budgets apply to this credential. Send the full input instead.");
            }

            var reservationId = Guid.CreateVersion7(now);
            BudgetDecision decision;
            try
            {
                decision = await ledger.ReserveAsync(reservationId, credential.Id, counters, worstCost, worstTokens, now);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // Fail closed: a call whose budget cannot be checked is not forwarded.
                return new GatewayDenial(503, "budget_unavailable", "The broker cannot check budgets right now (its database is unavailable); nothing was forwarded or charged. Retry shortly.", ShouldRetry: true);
            }

            if (!decision.Reserved)
            {
                var c = decision.Failed!;
                var left = c.Limit.MaxMicroUsd > 0 && decision.UsedMicroUsd + worstCost > c.Limit.MaxMicroUsd
                    ? $"{Pricing.Usd(Math.Max(0, c.Limit.MaxMicroUsd - decision.UsedMicroUsd))} is left and this request may cost up to {Pricing.Usd(worstCost)}"
                    : $"{Math.Max(0, c.Limit.MaxTokens - decision.UsedTokens):N0} tokens are left and this request may use up to {worstTokens:N0}";
                return new GatewayDenial(429, "budget_exceeded",
                    $"Budget exhausted: {c.Describe()} ({left}: {input:N0} input tokens estimated + {worstOutput:N0} output tokens at most). Lower max_tokens, or ask the owner for a larger budget.");
            }

            call.ReservationId = reservationId;
        }

        call.Body = request.Rewrite(outputCap);
        return null;
    }

    private async Task ForwardAsync(Call call, long started)
    {
        var http = call.Http;
        var provider = call.Provider!;
        var upstreamPath = "/v1" + http.Request.Path.Value![(call.Format == WireFormat.Anthropic ? "/anthropic/v1".Length : "/openai/v1".Length)..];
        // The body was read (and maybe rewritten) once already; forward those bytes without copying them again.
        var body = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(call.Body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(call.Body.ToArray(), writable: false);
        http.Request.Body = body;
        http.Request.ContentLength = call.Body.Length;
        http.Request.Headers.Remove("Transfer-Encoding");

        var originalBody = http.Response.Body;
        var meter = new ResponseMeter(originalBody, call.Endpoint, _options.MaxMeteredResponseBytes);
        http.Response.Body = meter;
        ForwarderError error;
        try
        {
            var transformer = new GatewayTransformer(upstreamPath, call.Format, provider.RootKey!, _hopHeaders, meter);
            error = await forwarder.SendAsync(http, provider.BaseUrl, upstream.Invoker,
                new ForwarderRequestConfig { ActivityTimeout = _options.UpstreamTimeout }, transformer);
        }
        catch (Exception ex)
        {
            // Whatever broke, the call is settled before the error surfaces: if the provider had answered,
            // at its reservation (the safe side), else at nothing.
            LogForwardFailed(logger, call.Credential!.Prefix, ex);
            var answered = meter.StatusCode is >= 200 and < 300;
            var worst = new UsageReport(call.EstimatedInput, 0, Math.Max(0, call.WorstTokens - call.EstimatedInput));
            Settle(call, answered ? worst : default, answered ? "reserved" : "none", "upstream_error", meter.StatusCode, started);
            throw;
        }
        finally
        {
            http.Response.Body = originalBody;
        }

        var (report, source, outcome) = Meter(call, meter, error);
        if ((error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.NoAvailableDestinations) && !http.Response.HasStarted)
        {
            http.Response.Clear();
            await GatewayErrors.WriteAsync(http, call.Format, new GatewayDenial(
                error == ForwarderError.RequestTimedOut ? 504 : 502, "upstream_unavailable",
                $"Provider '{provider.Name}' could not be reached or did not answer in time; nothing was charged.", ShouldRetry: true));
        }

        Settle(call, report, source, outcome, meter.StatusCode == 0 ? http.Response.StatusCode : meter.StatusCode, started);
    }

    /// <summary>What the call used: the provider's report, else an estimate from what was generated, else nothing.</summary>
    private (UsageReport Report, string Source, string Outcome) Meter(Call call, ResponseMeter meter, ForwarderError error)
    {
        var disconnected = error is ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient or ForwarderError.RequestBodyCanceled
            || call.Http.RequestAborted.IsCancellationRequested;
        if (meter.StatusCode is < 200 or >= 300)
        {
            // The provider refused or failed, or was never reached: nothing is billed.
            return (default, "none", meter.StatusCode == 0 ? (disconnected ? "client_disconnected" : "upstream_unreachable") : "upstream_error");
        }

        var outcome = disconnected ? "client_disconnected" : error == ForwarderError.None ? "success" : "upstream_error";
        if (meter.Stream is { } stream)
        {
            if (stream.Reported is { } reported)
            {
                return (reported, "reported", outcome);
            }

            // Cut short before the provider reported usage: what was generated so far.
            var input = stream.InputFromStart ?? new UsageReport(call.EstimatedInput, 0, 0);
            var output = estimator.CountTokens(call.Model!, stream.GeneratedText) + ((stream.GeneratedCharsBeyondCap + 2) / 3);
            return (input with { OutputTokens = output }, "estimated", outcome);
        }

        if (meter.BodyUsage() is { } body)
        {
            return (body, "reported", outcome);
        }

        if (call.Endpoint == GatewayEndpoint.CountTokens)
        {
            return (default, "none", outcome);
        }

        // A successful answer whose usage could not be read: charge the worst case reserved.
        var worstOutput = Math.Max(0, call.WorstTokens - call.EstimatedInput);
        return (new UsageReport(call.EstimatedInput, 0, worstOutput), "reserved", outcome);
    }

    private void Settle(Call call, UsageReport report, string source, string outcome, int status, long started)
    {
        long cost = 0;
        if (source != "none" && call.Endpoint != GatewayEndpoint.CountTokens)
        {
            cost = call.Price is { } price
                ? Pricing.Cost(price, report.InputTokens, report.CachedInputTokens, report.OutputTokens)
                : call.WorstCost;
        }

        ReleaseRate(call, call.WorstTokens - report.TotalTokens);
        metrics.GatewayFinished(GatewayEndpoints.Name(call.Endpoint), outcome, started);
        usage.Record(new UsageRecord(
            time.GetUtcNow(), call.Credential!, GatewayEndpoints.Name(call.Endpoint), call.Model ?? string.Empty, status, outcome, call.Streamed,
            report.InputTokens, report.CachedInputTokens, report.OutputTokens, cost, source,
            (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(started).TotalMilliseconds), call.CallerIdentity, call.Depth, call.ReservationId, call.PromptFingerprint));
    }

    private void ReleaseRate(Call call, long unusedTokens)
    {
        if (call.Scopes.Count > 0)
        {
            rates.Refund(call.Scopes, unusedTokens);
        }
    }

    private List<BudgetCounter> Counters(Call call, DateTimeOffset now)
    {
        var counters = new List<BudgetCounter>();
        void Add(string scope, Guid id, Limits limits, string? holder = null)
        {
            foreach (var budget in limits.Budgets)
            {
                counters.Add(new BudgetCounter(scope, id, budget, BudgetWindows.Start(budget.Window, now, _zone)) { Holder = holder });
            }
        }

        Add("credential", call.Credential!.Id, call.Purpose!.Policy.CredentialLimits);
        Add("delegation", call.Credential.Id, call.Credential.OwnLimits);

        // A delegated credential also spends its ancestors' budgets: parent + children never exceed the parent's.
        foreach (var ancestor in call.Credential.Ancestors)
        {
            Add("credential", ancestor.Id, call.Purpose.Policy.CredentialLimits, $"parent credential {ancestor.Prefix}");
            Add("delegation", ancestor.Id, ancestor.Limits, $"parent credential {ancestor.Prefix}");
        }

        Add("purpose", call.Purpose.Id, call.Purpose.Policy.PurposeLimits);
        Add("owner", call.Owner!.Id, call.Owner.Limits);
        return counters;
    }

    /// <summary>The identity the caller presented besides the key (its JWT in Broker-Identity, else its client certificate), or null.</summary>
    private async Task<IdentityResult?> PresentedIdentityAsync(HttpContext http)
    {
        if (http.Request.Headers.TryGetValue(IdentityHeader, out var token) && token.ToString().Length > 0)
        {
            return await jwt.ValidateAsync(token.ToString(), http.RequestAborted);
        }

        return await http.Connection.GetClientCertificateAsync(http.RequestAborted) is { } certificate
            ? certificates.Validate(certificate)
            : null;
    }

    private static GatewayDenial? SenderMismatch(Call call, IdentityResult? presented)
    {
        var expected = call.Credential!.WorkloadIdentity;
        if (presented is null)
        {
            return GatewayDenial.Forbidden("sender_required",
                $"Purpose '{call.Purpose!.Name}' binds credentials to their workload: present the workload's client certificate (mTLS) or its JWT in the '{IdentityHeader}' header along with the key.");
        }

        if (presented.Identity is null)
        {
            return GatewayDenial.Forbidden("sender_invalid", $"The caller identity presented with the key is not valid: {presented.Error}");
        }

        return presented.Identity == expected
            ? null
            : GatewayDenial.Forbidden("sender_mismatch",
                $"Credential {call.Credential.Prefix} was issued to workload '{expected}' and may only be used by it; the caller is '{Clip(presented.Identity)}'.");
    }

    private static GatewayDenial? ParseDepth(HttpRequest request, out int depth)
    {
        depth = 0;
        if (!request.Headers.TryGetValue(CallDepthHeader, out var values))
        {
            return null;
        }

        return int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out depth) && depth <= 1000
            ? null
            : GatewayDenial.BadRequest("invalid_call_depth", $"The {CallDepthHeader} header must be a whole number from 0 (a direct call) upwards.");
    }

    private static GatewayDenial? CheckDepth(Call call) =>
        call.Depth <= call.Purpose!.Policy.MaxCallDepth
            ? null
            : GatewayDenial.Forbidden("call_depth_exceeded",
                $"Call depth {call.Depth} ({CallDepthHeader}) is above purpose '{call.Purpose.Name}''s limit of {call.Purpose.Policy.MaxCallDepth}; agents may not nest this deep.");

    private async Task WriteModelsAsync(Call call)
    {
        var purpose = call.Purpose!;
        var credential = call.Credential!;
        var names = call.Provider!.Prices.Select(p => p.Model)
            .Concat(purpose.AllowedModels).Concat(credential.Models)
            .Where(m => !m.EndsWith('*'))
            .Where(m => ModelAllowance.Allows(purpose.AllowedModels, m) && ModelAllowance.Allows(credential.Models, m))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var owner = call.Provider.Name;
        await Results.Json(new
        {
            @object = "list",
            data = names.Select(id => new { id, @object = "model", created = 0, owned_by = owner }),
        }).ExecuteAsync(call.Http);
    }

    private async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var max = _options.MaxRequestBytes;
        if (request.ContentLength > max)
        {
            return null;
        }

        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string? ReadKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var apiKey = request.Headers["x-api-key"].ToString();
        return apiKey.Length > 0 ? apiKey.Trim() : null;
    }

    private async Task DenyAsync(Call call, GatewayDenial denial)
    {
        ReleaseRateOnDenial(call);
        var credential = call.Credential;
        var actor = credential is null ? Caller.Anonymous : new Caller(BrokerRole.Workload, "workload:" + credential.WorkloadIdentity, credential.OwnerId, credential.WorkloadId);
        var details = new Dictionary<string, string>
        {
            ["endpoint"] = GatewayEndpoints.Name(call.Endpoint),
            ["code"] = denial.Code,
            ["status"] = denial.Status.ToString(CultureInfo.InvariantCulture),
            ["peer"] = call.Http.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
            ["call_depth"] = call.Depth.ToString(CultureInfo.InvariantCulture),
        };
        if (credential is not null)
        {
            details["prefix"] = credential.Prefix;
        }

        if (call.Model is { } model)
        {
            details["model"] = Clip(model);
        }

        LogDenied(logger, denial.Code, denial.Status, credential?.Prefix ?? "-");
        metrics.GatewayDenied(GatewayEndpoints.Name(call.Endpoint), denial.Code, call.Started);
        await audit.RecordDenialAsync(actor, null, new AuditEntry("gateway.denied", "credential", credential?.Id.ToString(), denial.Message, details));
        await GatewayErrors.WriteAsync(call.Http, call.Format, denial);
    }

    private void ReleaseRateOnDenial(Call call)
    {
        if (call.Scopes.Count > 0)
        {
            rates.Refund(call.Scopes, call.WorstTokens);
            call.Scopes = [];
        }
    }

    private static string Clip(string value) => value.Length <= 128 ? value : value[..128] + "…";

    [LoggerMessage(Level = LogLevel.Error, Message = "Gateway: forwarding a call for credential {Prefix} failed unexpectedly; it was settled at its reservation if the provider had answered, else at nothing.")]
    private static partial void LogForwardFailed(ILogger logger, string prefix, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway refused a call: {Code} ({Status}) for credential {Prefix}.")]
    private static partial void LogDenied(ILogger logger, string code, int status, string prefix);

    /// <summary>State of one call as it moves through the checks.</summary>
    private sealed class Call(HttpContext http, GatewayEndpoint endpoint, WireFormat format)
    {
        public HttpContext Http { get; } = http;
        public GatewayEndpoint Endpoint { get; } = endpoint;
        public WireFormat Format { get; } = format;
        public long Started { get; } = Stopwatch.GetTimestamp();
        public GatewayCredential? Credential { get; set; }
        public GatewayPurpose? Purpose { get; set; }
        public GatewayOwner? Owner { get; set; }
        public GatewayProvider? Provider { get; set; }
        public string? Model { get; set; }
        public bool Streamed { get; set; }
        public int Depth { get; set; }
        public string? CallerIdentity { get; set; }
        public string? PromptFingerprint { get; set; }
        public long EstimatedInput { get; set; }
        public long WorstTokens { get; set; }
        public long WorstCost { get; set; }
        public ModelPrice? Price { get; set; }
        public IReadOnlyList<RateLimiter.Scope> Scopes { get; set; } = [];
        public Guid? ReservationId { get; set; }
        public ReadOnlyMemory<byte> Body { get; set; }
    }
}
