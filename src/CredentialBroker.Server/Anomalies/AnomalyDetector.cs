using System.Diagnostics;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// One run of anomaly detection: reads the activity of every active credential used in the recent
/// window (<see cref="ActivityReader"/>), runs the detectors (<see cref="AnomalyScanner"/>) and hands
/// each finding to <see cref="AnomalyResponder"/>, which records it once and acts on it. Safe to run
/// on several replicas at once: an incident already recorded is not recorded or acted on again.
/// </summary>
internal sealed class AnomalyDetector(NpgsqlDataSource dataSource, AnomalyResponder responder, IOptions<BrokerOptions> options, TimeProvider time, ILogger<AnomalyDetector> logger)
{
    /// <summary>Runs the detectors at the current time; returns the anomalies recorded by this run.</summary>
    public async Task<IReadOnlyList<Guid>> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Anomalies;
        if (!settings.Enabled)
        {
            return [];
        }

        var started = Stopwatch.GetTimestamp();
        var now = time.GetDbNow();
        var activities = await new ActivityReader(dataSource, settings).ReadAsync(now, cancellationToken);
        var recorded = new List<Guid>();
        var findings = 0;
        foreach (var activity in activities)
        {
            foreach (var finding in AnomalyScanner.Scan(activity, settings))
            {
                findings++;
                if (await responder.RespondAsync(finding, cancellationToken) is { } id)
                {
                    recorded.Add(id);
                }
            }
        }

        AnomalyLog.Scanned(logger, activities.Count, findings, recorded.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return recorded;
    }
}
