using System.Diagnostics;
using System.Globalization;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Anomalies;
using CredentialBroker.V1;
using AnomalyAction = CredentialBroker.Server.Anomalies.AnomalyAction;
using AnomalyKind = CredentialBroker.Server.Anomalies.AnomalyKind;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>A broker whose scheduled anomaly job stays out of the way: the test runs the detector itself, every 10 minutes of fake time.</summary>
public sealed class DetectionQualityFixture : BrokerFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        // The test runs the detector itself at fixed points of the fake clock. Quartz also runs on that
        // clock, so every scheduled job is pushed far beyond the two simulated days: a job fired by an
        // Advance would otherwise run at a moment that depends on the machine's load.
        ["Broker:Anomalies:Interval"] = "3650.00:00:00",
        ["Broker:ExpirySweepInterval"] = "3650.00:00:00",
        ["Broker:Governance:OwnerlessSweepInterval"] = "3650.00:00:00",
        ["Broker:Governance:StaleSweepInterval"] = "3650.00:00:00",
        ["Broker:Governance:DirectorySyncInterval"] = "3650.00:00:00",
        ["Broker:Usage:MaintenanceInterval"] = "3650.00:00:00",
        ["Broker:Anomalies:Window"] = "00:10:00",
    };
}

/// <summary>
/// Detection quality on scripted traffic: 42 keys over two days with a diurnal pattern, incidents
/// injected on day two, the real job run every 10 minutes of day two. Prints precision and recall
/// per detector (docs/ANOMALIES.md has the command and the figures).
/// </summary>
public sealed class DetectionQualityTests(DetectionQualityFixture broker, ITestOutputHelper output) : IClassFixture<DetectionQualityFixture>
{
    private const int KeysPerTier = 14;

    [Fact]
    public async Task ScriptedTraffic_IncidentsFound_NormalTrafficNeverSuspendedOrRevoked_LeaksStopped()
    {
        var keys = new List<SyntheticKey>();
        var tiers = new[] { RiskTier.Sandbox, RiskTier.Internal, RiskTier.CustomerFacing };
        var random = new Random(7);
        foreach (var tier in tiers)
        {
            var world = await broker.SeedAsync(p =>
            {
                p.RiskTier = tier;
                p.DefaultTtl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(7));
                p.MaxTtl = p.DefaultTtl;
                p.MaxLifetime = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(30));
            });
            for (var i = 0; i < KeysPerTier; i++)
            {
                var c = (await broker.IssueAsync(world, TimeSpan.FromDays(7))).Credential;
                keys.Add(new SyntheticKey(Guid.Parse(c.Id), Guid.Parse(c.OwnerId), Guid.Parse(c.PurposeId), Guid.Parse(c.WorkloadId), world.Workload.Identity,
                    1.5 + (random.NextDouble() * 4.5), i % 2 == 0));
            }
        }

        // Interleave tiers so every incident type hits every tier.
        keys = keys.Select((k, i) => (k, i)).OrderBy(x => x.i % KeysPerTier).ThenBy(x => x.i / KeysPerTier).Select(x => x.k).ToList();
        // The spike keys are busy ones (8-11 requests/min at peak), so a spike clears the absolute floors.
        for (var i = 0; i < 4; i++)
        {
            keys[i] = keys[i] with { PeakRequestsPerMinute = 8 + i };
        }

        // Start the scripted days at midnight UTC, so where the incidents fall in the diurnal pattern
        // (and inside the two days) does not depend on the hour the test happens to run.
        var now = broker.Time.GetUtcNow();
        broker.Time.Advance(new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero) - now);
        var t0 = Minute(broker.Time.GetUtcNow());
        var day2 = t0.AddDays(1);
        var generator = new TrafficGenerator(42);
        var calls = keys.SelectMany(k => generator.Normal(k, t0, t0.AddDays(2))).ToList();
        var incidents = new List<Incident>();
        var noon = day2.Date.AddHours(day2.Hour >= 10 ? 34 : 10);
        // Hard cases: one spike is gentle (3x, under k = 4: a miss by design), and three normal keys run a
        // nightly batch at 10x their peak for 10 minutes on both days (legitimate, and a likely false alarm).
        double[] spikeFactors = [12, 12, 6, 3];
        for (var b = 15; b < 18; b++)
        {
            foreach (var night in new[] { t0.Date.AddDays(1).AddHours(2), t0.Date.AddDays(2).AddHours(2) })
            {
                var batch = new DateTimeOffset(night, TimeSpan.Zero);
                calls.AddRange(generator.Spike(keys[b], batch, TimeSpan.FromMinutes(10), 1 + (10 / 0.15)));
            }
        }

        for (var i = 0; i < 15; i++)
        {
            var key = keys[i];
            var start = Minute(i < 4 ? new DateTimeOffset(noon, TimeSpan.Zero).AddMinutes(i * 50) : day2.AddMinutes(60 + (i * 83)));
            switch (i / 4)
            {
                case 0:
                    calls.AddRange(generator.Spike(key, start, TimeSpan.FromMinutes(30), spikeFactors[i]));
                    incidents.Add(new Incident(key.CredentialId, AnomalyKind.Spike, start, start.AddMinutes(30), AnomalyKind.Ceiling));
                    break;
                case 1:
                    calls.AddRange(generator.Leak(key, $"spiffe://elsewhere/leak-{i}", start, TimeSpan.FromMinutes(20), 1.5));
                    incidents.Add(new Incident(key.CredentialId, AnomalyKind.IdentityMismatch, start, start.AddMinutes(20)));
                    break;
                case 2:
                    calls.AddRange(generator.Loop(key, start, TimeSpan.FromMinutes(30), 4));
                    incidents.Add(new Incident(key.CredentialId, AnomalyKind.Loop, start, start.AddMinutes(30), AnomalyKind.Spike));
                    break;
                default:
                    calls.AddRange(generator.FanOut(key, start, 80, TimeSpan.FromSeconds(30)));
                    incidents.Add(new Incident(key.CredentialId, AnomalyKind.FanOut, start, start.AddMinutes(2), AnomalyKind.Spike, AnomalyKind.Ceiling));
                    break;
            }
        }

        var written = await TrafficGenerator.WriteAsync(broker.ConnectionString, keys, calls);
        var detector = broker.Services.GetRequiredService<AnomalyDetector>();
        broker.Time.Advance(day2 - broker.Time.GetUtcNow());
        var clock = Stopwatch.StartNew();
        var runs = 0;
        while (broker.Time.GetUtcNow() < t0.AddDays(2))
        {
            broker.Time.Advance(TimeSpan.FromMinutes(10));
            await detector.RunAsync(CancellationToken.None);
            runs++;
        }

        clock.Stop();
        var findings = await FindingsAsync();
        var report = QualityReport.Build(incidents, findings);
        output.WriteLine($"{keys.Count} keys, {written:N0} usage events over 2 days, {incidents.Count} incidents; {runs} detection runs (every 10 min of day 2) in {clock.Elapsed.TotalSeconds:0.0} s ({clock.Elapsed.TotalMilliseconds / runs:0} ms each).");
        output.WriteLine(report.Markdown());

        var incidentKeys = incidents.Select(i => i.CredentialId).ToHashSet();
        var stoppedNormal = findings.Where(f => !incidentKeys.Contains(f.CredentialId) && f.Action is AnomalyAction.Suspend or AnomalyAction.Revoke).ToList();
        Assert.Empty(stoppedNormal);
        Assert.Equal(0, await broker.CountAsync("credentials", $"status IN ('suspended', 'revoked') AND id NOT IN ({string.Join(',', incidentKeys.Select(k => $"'{k}'"))})"));
        foreach (var leak in incidents.Where(i => i.Kind == AnomalyKind.IdentityMismatch))
        {
            Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{leak.CredentialId}' AND status IN ('suspended', 'revoked')"));
        }

        Assert.Equal(1.0, report.Recall(AnomalyKind.IdentityMismatch));
        Assert.Equal(1.0, report.Precision(AnomalyKind.IdentityMismatch));
        foreach (var kind in new[] { AnomalyKind.Spike, AnomalyKind.Loop, AnomalyKind.FanOut })
        {
            Assert.True(report.Recall(kind) >= 0.75, $"{kind} recall {report.Recall(kind):0.00}");
            Assert.True(report.Precision(kind) >= 0.5, $"{kind} precision {report.Precision(kind):0.00}");
        }
    }

    private async Task<List<QualityReport.Finding>> FindingsAsync()
    {
        await using var connection = new NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT credential_id, kind, action, detected_at FROM anomalies ORDER BY detected_at", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var findings = new List<QualityReport.Finding>();
        while (await reader.ReadAsync())
        {
            findings.Add(new QualityReport.Finding(reader.GetGuid(0), Parse<AnomalyKind>(reader.GetString(1)), Parse<AnomalyAction>(reader.GetString(2)), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return findings;
    }

    private static T Parse<T>(string snake)
        where T : struct, Enum => Enum.Parse<T>(snake.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true);

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
}
