using System.Diagnostics;
using System.Diagnostics.Metrics;
using CredentialBroker.Server.Policy;
using Npgsql;

namespace CredentialBroker.Server.Telemetry;

/// <summary>
/// Active, unexpired credentials per risk tier for the <c>broker.credentials.active</c> gauge: counted
/// in the background when a collection finds the count older than <see cref="MaxAge"/>, so the
/// database sees at most one count per interval and only while someone collects. A collection
/// waits at most <see cref="CollectionWait"/> for a fresh count, else reports the previous one.
/// Credentials covered by a mass revocation are counted until the marker has marked them.
/// </summary>
internal sealed partial class ActiveCredentialCounts(NpgsqlDataSource dataSource, TimeProvider time, ILogger<ActiveCredentialCounts> logger)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CollectionWait = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private IReadOnlyList<(string Tier, long Count)> _counts = [];
    private long _countedAt;
    private Task _counting = Task.CompletedTask;

    public IEnumerable<Measurement<long>> Observe()
    {
        Task counting;
        lock (_lock)
        {
            if (_counting.IsCompleted && (_countedAt == 0 || Stopwatch.GetElapsedTime(_countedAt) >= MaxAge))
            {
                _countedAt = Stopwatch.GetTimestamp();
                _counting = Task.Run(CountAsync);
            }

            counting = _counting;
        }

        // CountAsync never faults.
        counting.Wait(CollectionWait);
        return Volatile.Read(ref _counts).Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("risk_tier", c.Tier)));
    }

    private async Task CountAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await using var command = dataSource.CreateCommand(
                "SELECT p.risk_tier, count(*) FROM credentials c JOIN purposes p ON p.id = c.purpose_id WHERE c.status = 'active' AND c.expires_at > $1 GROUP BY p.risk_tier");
            command.Parameters.Add(new() { Value = time.GetUtcNow() });
            var counts = Enum.GetValues<RiskTier>().ToDictionary(RiskTiers.ToDb, _ => 0L);
            await using var reader = await command.ExecuteReaderAsync(timeout.Token);
            while (await reader.ReadAsync(timeout.Token))
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }

            Volatile.Write(ref _counts, counts.Select(kv => (kv.Key, kv.Value)).ToList());
        }
        catch (Exception ex)
        {
            LogCountFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry: counting active credentials failed; broker.credentials.active keeps its previous value.")]
    private static partial void LogCountFailed(ILogger logger, Exception exception);
}
