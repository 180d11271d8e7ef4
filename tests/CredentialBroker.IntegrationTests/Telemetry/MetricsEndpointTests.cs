using System.Diagnostics;
using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Credentials;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Telemetry;

/// <summary>What an operator's Prometheus and trace collector get after real traffic.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class MetricsEndpointTests(TelemetryFixture broker) : IClassFixture<TelemetryFixture>
{
    [Fact]
    public async Task Metrics_AfterTraffic_ExposesTheBrokerSeries()
    {
        var world = await broker.SeedGatewayAsync();
        var issued = await broker.IssueAsync(world);
        using (var ok = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var denied = await broker.PostAsync("/openai/v1/chat/completions", SecretKey.Generate(SecretKey.CredentialKind), GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        await broker.FlushUsageAsync();

        // A revocation is announced through the change feed and comes back to this replica.
        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id, Reason = "test" }, BrokerFixture.Bearer(world.WorkloadToken));

        // Series as the Prometheus exporter names them: dots become underscores, counters end in _total,
        // histograms in ms get _milliseconds; every series also carries otel_scope_name.
        (string Name, string[] Labels, string? Value)[] expected =
        [
            ("broker_credentials_issued_total", [$"purpose=\"{world.Purpose.Name}\"", "risk_tier=\"internal\""], "1"),
            ("broker_credentials_issue_duration_milliseconds_count", ["risk_tier=\"internal\""], "1"),
            ("broker_credentials_active", ["risk_tier=\"internal\""], null),
            ("broker_gateway_requests_total", ["endpoint=\"chat.completions\"", "outcome=\"success\""], "1"),
            ("broker_gateway_requests_total", ["endpoint=\"chat.completions\"", "outcome=\"denied\""], "1"),
            ("broker_gateway_denials_total", ["reason=\"invalid_api_key\""], "1"),
            ("broker_gateway_duration_milliseconds_count", ["endpoint=\"chat.completions\"", "outcome=\"success\""], "1"),
            ("broker_spend_micro_usd_total", [$"owner_id=\"{world.Owner.Id}\"", $"purpose_id=\"{world.Purpose.Id}\""], "24"),
            ("broker_tokens_total", ["kind=\"input\"", $"purpose_id=\"{world.Purpose.Id}\""], "4"),
            ("broker_tokens_total", ["kind=\"output\"", $"purpose_id=\"{world.Purpose.Id}\""], "10"),
            ("broker_revocation_propagation_lag_milliseconds_count", ["kind=\"credential\""], null),
            ("broker_jobs_duration_milliseconds_count", ["job=\"expire-credentials\""], null),
            ("broker_jobs_failures_total", ["job=\"expire-credentials\""], "0"),
            ("broker_budget_reservation_backlog", [], null),
            ("broker_usage_pending", [], null),
            ("http_server_request_duration_seconds_count", ["http_route=\"/openai/v1/chat/completions\""], null),
            ("http_client_request_duration_seconds_count", [], null),
            ("db_client_operation_duration_seconds_count", [], null),
        ];

        bool Has(string text, (string Name, string[] Labels, string? Value) series) =>
            text.Split('\n').Any(line => line.StartsWith(series.Name + "{", StringComparison.Ordinal)
                && series.Labels.All(l => line.Contains(l, StringComparison.Ordinal))
                && (series.Value is null || line.EndsWith("} " + series.Value, StringComparison.Ordinal)));

        var text = await ScrapeUntilAsync(t => expected.All(s => Has(t, s)));
        Assert.All(expected, series => Assert.True(Has(text, series), $"missing {series.Name} {string.Join(",", series.Labels)} {series.Value}"));
        Assert.DoesNotContain(issued.Secret, text);
    }

    [Fact]
    public async Task Traces_GatewayCall_HasServerCheckAndUpstreamSpansWithoutSecrets()
    {
        var world = await broker.SeedGatewayAsync();
        var key = await broker.KeyAsync(world);
        using (var ok = await broker.PostAsync("/openai/v1/chat/completions", key, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // The upstream client span: the gateway's forwarded call, in the same trace as the gateway's server span.
        var upstream = await WaitForSpanAsync(a => a.Kind == ActivityKind.Client && (a.GetTagItem("url.full") as string)?.StartsWith(broker.Upstream.BaseUrl, StringComparison.Ordinal) == true);
        var trace = broker.Spans.Where(a => a.TraceId == upstream.TraceId).ToList();
        Assert.Contains(trace, a => a.Kind == ActivityKind.Server && a.DisplayName.Contains("/openai/v1/chat/completions", StringComparison.Ordinal));
        Assert.Contains(trace, a => a.Source.Name == "CredentialBroker" && a.OperationName == "gateway.admit");
        Assert.Contains(trace, a => a.Source.Name == "Npgsql" || a.Source.Name.StartsWith("Npgsql", StringComparison.Ordinal));

        // Nothing secret in any recorded tag, and no trace context sent to the provider.
        var rootKey = "sk-test-root-" + world.Owner.Name.Split('-')[1];
        foreach (var span in broker.Spans)
        {
            foreach (var (name, value) in span.TagObjects)
            {
                var text = value?.ToString() ?? string.Empty;
                Assert.DoesNotContain(key, text);
                Assert.DoesNotContain(rootKey, text);
            }
        }

        var forwarded = broker.Upstream.Requests.Last();
        Assert.False(forwarded.Headers.TryGetValue("traceparent", out var sent) && sent.Contains(upstream.TraceId.ToHexString(), StringComparison.Ordinal));
    }

    private async Task<Activity> WaitForSpanAsync(Func<Activity, bool> match)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (broker.Spans.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "span not recorded: " + string.Join("\n", broker.Spans.Select(a => $"{a.Source.Name} {a.Kind} {a.DisplayName} {a.GetTagItem("url.full")}")));
            await Task.Delay(50);
        }
    }

    /// <summary>Scrapes /metrics on the gateway listener until every expected series is there (jobs and gauges are asynchronous), or 20 s.</summary>
    private async Task<string> ScrapeUntilAsync(Func<string, bool> complete)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await broker.Http.GetAsync(broker.GatewayAddress + "/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = (await response.Content.ReadAsStringAsync()).Replace("\r", string.Empty, StringComparison.Ordinal);
            if (complete(text) || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                return text;
            }

            await Task.Delay(250);
        }
    }
}
