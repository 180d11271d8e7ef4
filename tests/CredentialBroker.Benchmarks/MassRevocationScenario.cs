using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CredentialBroker.Server.DevMode;
using CredentialBroker.V1;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>What the mass-revocation scenario measured.</summary>
internal sealed record MassRevocationResult(
    long Seeded, double SeedSeconds, double RevokeCallMs, long Matched, double EnforcedMs, double? MarkingSeconds, long Marked,
    PhaseResult Baseline, PhaseResult DuringMarking, long PeakRssBytes, bool Enforced);

/// <summary>
/// Seeds N live credentials (one real key among them, warmed in the gateway's cache), measures
/// issuance alone, then revokes all N with one RevokeMatching and measures: the call, how long until
/// the gateway refuses the real key, issuance while the background marker marks the rows, how long
/// marking takes, and the broker process's peak resident memory.
/// </summary>
internal static class MassRevocationScenario
{
    private const string Label = "mass-revocation-bench";

    public static async Task<MassRevocationResult> RunAsync(
        BrokerHost broker, string connectionString, BenchmarkOptions options, ResourceProbe probe, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        var credentials = new CredentialService.CredentialServiceClient(broker.Channels[0]);
        var issued = await credentials.IssueCredentialAsync(
            new IssueCredentialRequest { Purpose = DevSeed.Purpose, Provider = DevSeed.Provider, Labels = { ["bench"] = Label } },
            broker.WorkloadAuth, cancellationToken: cancellationToken);
        var seedSeconds = await CredentialSeeder.SeedAsync(data, Guid.Parse(issued.Credential.Id), options.Credentials, expiring: null, "revocation", progress, cancellationToken);
        using var http = new HttpClient();
        if (await GatewayStatusAsync(http, broker.GatewayAddress, issued.Secret, cancellationToken) != HttpStatusCode.OK)
        {
            throw new InvalidOperationException("the seeded key was refused by the gateway before the revocation");
        }

        await progress.WriteLineAsync("revocation: issuance baseline...");
        var baseline = await LoadRunner.RunAsync("issue-baseline", "IssueCredential before the mass revocation", IssuanceLoad.Callers(broker, options.Concurrency, cancellationToken),
            options.WarmupPolicy, options.Duration, probe, cancellationToken);

        var peakRss = ResourceProbe.ResidentBytes();
        var revocations = new RevocationService.RevocationServiceClient(broker.Channels[0]);
        // The gateway is polled while the call runs: enforcement starts when the watermark commits,
        // which can be before the call returns (it counts what it covered afterwards).
        var started = Stopwatch.StartNew();
        var call = revocations.RevokeMatchingAsync(
            new RevokeMatchingRequest { Selector = new Selector { Labels = { ["bench"] = Label } }, Reason = "benchmark: mass revocation" },
            broker.AdminAuth, cancellationToken: cancellationToken).ResponseAsync;
        var enforcedMs = double.NaN;
        while (started.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await GatewayStatusAsync(http, broker.GatewayAddress, issued.Secret, cancellationToken) != HttpStatusCode.OK)
            {
                enforcedMs = started.Elapsed.TotalMilliseconds;
                break;
            }
        }

        var revoked = await call;
        var revokeCallMs = started.Elapsed.TotalMilliseconds;
        await progress.WriteLineAsync($"revocation: key refused after {enforcedMs:0} ms; call returned {revoked.MatchedCount:N0} matched by {revokeCallMs:0} ms; issuance during marking...");
        var marking = Stopwatch.StartNew();
        var during = await LoadRunner.RunAsync("issue-during-marking", "IssueCredential while the marker marks the revoked rows", IssuanceLoad.Callers(broker, options.Concurrency, cancellationToken),
            new Warmup(TimeSpan.Zero, TimeSpan.Zero), options.Duration, probe, cancellationToken);
        peakRss = Math.Max(peakRss, ResourceProbe.ResidentBytes());
        Revocation state;
        do
        {
            state = await revocations.GetRevocationAsync(new GetRevocationRequest { Id = revoked.RevocationId }, broker.AdminAuth, cancellationToken: cancellationToken);
            peakRss = Math.Max(peakRss, ResourceProbe.ResidentBytes());
            if (state.MarkingCompletedAt is null)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
        while (state.MarkingCompletedAt is null && marking.Elapsed < TimeSpan.FromMinutes(15));

        double? markingSeconds = state.MarkingCompletedAt is null ? null : (state.MarkingCompletedAt.ToDateTimeOffset() - state.EffectiveAt.ToDateTimeOffset()).TotalSeconds;
        return new MassRevocationResult(options.Credentials + 1, seedSeconds, revokeCallMs, revoked.MatchedCount, enforcedMs, markingSeconds, state.MarkedCount,
            baseline, during, peakRss, !double.IsNaN(enforcedMs) && revoked.MatchedCount == options.Credentials + 1);
    }

    /// <summary>The status the gateway answers a one-token chat completion with <paramref name="key"/>.</summary>
    public static async Task<HttpStatusCode> GatewayStatusAsync(HttpClient http, string gatewayAddress, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gatewayAddress + "/openai/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, cancellationToken);
        return response.StatusCode;
    }
}
