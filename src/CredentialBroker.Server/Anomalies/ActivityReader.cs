using CredentialBroker.Server.Policy;
using Npgsql;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// Reads what the detectors judge from usage events: the active credentials used in the recent
/// window, their per-minute buckets over the baseline, and the window's identities, models, call
/// spans and repeated prompt fingerprints. Five set-based queries per run, whatever the number of credentials.
/// </summary>
internal sealed class ActivityReader(NpgsqlDataSource dataSource, AnomalyOptions options)
{
    private const string Errors = "outcome IN ('upstream_error', 'upstream_unreachable')";

    public async Task<IReadOnlyList<CredentialActivity>> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var windowStart = now - options.Window;
        var baselineStart = now - options.BaselineWindow;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var credentials = new Dictionary<Guid, (RiskTier Tier, string Identity)>();
        await ReadAsync(connection,
            """
            SELECT c.id, p.risk_tier, w.identity
            FROM (SELECT DISTINCT credential_id FROM usage_events WHERE occurred_at > $1 AND occurred_at <= $2) u
            JOIN credentials c ON c.id = u.credential_id
            JOIN purposes p ON p.id = c.purpose_id
            JOIN workloads w ON w.id = c.workload_id
            WHERE c.status = 'active' AND c.expires_at > $2
            """, [windowStart, now],
            r => credentials[r.GetGuid(0)] = (RiskTiers.FromDb(r.GetString(1)), r.GetString(2)), cancellationToken);
        if (credentials.Count == 0)
        {
            return [];
        }

        var ids = credentials.Keys.ToArray();
        var minutes = ids.ToDictionary(id => id, _ => new List<ActivityMinute>());
        await ReadAsync(connection,
            $"""
            SELECT credential_id, date_trunc('minute', occurred_at), count(*), sum(input_tokens + output_tokens)::bigint, sum(cost_micro_usd)::bigint,
                   count(*) FILTER (WHERE {Errors})
            FROM usage_events WHERE credential_id = ANY($1) AND occurred_at > $2 AND occurred_at <= $3
            GROUP BY 1, 2
            """, [ids, baselineStart, now],
            r => minutes[r.GetGuid(0)].Add(new ActivityMinute(r.GetFieldValue<DateTimeOffset>(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5))), cancellationToken);

        var identities = ids.ToDictionary(id => id, _ => new Dictionary<string, long>());
        var recentModels = ids.ToDictionary(id => id, _ => new HashSet<string>());
        var calls = ids.ToDictionary(id => id, _ => new List<CallSpan>());
        await ReadAsync(connection,
            "SELECT credential_id, occurred_at, latency_ms, caller_identity, model FROM usage_events WHERE credential_id = ANY($1) AND occurred_at > $2 AND occurred_at <= $3",
            [ids, windowStart, now],
            r =>
            {
                var id = r.GetGuid(0);
                var end = r.GetFieldValue<DateTimeOffset>(1);
                calls[id].Add(new CallSpan(end.AddMilliseconds(-r.GetInt32(2)), end));
                if (!r.IsDBNull(3))
                {
                    var identity = r.GetString(3);
                    identities[id][identity] = identities[id].GetValueOrDefault(identity) + 1;
                }

                if (r.GetString(4) is { Length: > 0 } model)
                {
                    recentModels[id].Add(model);
                }
            }, cancellationToken);

        var baselineModels = ids.ToDictionary(id => id, _ => new HashSet<string>());
        await ReadAsync(connection,
            "SELECT DISTINCT credential_id, model FROM usage_events WHERE credential_id = ANY($1) AND occurred_at > $2 AND occurred_at <= $3 AND model <> ''",
            [ids, baselineStart, windowStart],
            r => baselineModels[r.GetGuid(0)].Add(r.GetString(1)), cancellationToken);

        var prompts = ids.ToDictionary(id => id, _ => new Dictionary<string, long>());
        await ReadAsync(connection,
            """
            SELECT credential_id, prompt_fingerprint, count(*) FROM usage_events
            WHERE credential_id = ANY($1) AND occurred_at > $2 AND occurred_at <= $3 AND prompt_fingerprint IS NOT NULL
            GROUP BY 1, 2 HAVING count(*) > $4
            """, [ids, now - options.LoopWindow, now, (long)options.LoopRepeats],
            r => prompts[r.GetGuid(0)][r.GetString(1)] = r.GetInt64(2), cancellationToken);

        return ids.Select(id => new CredentialActivity(
            id, credentials[id].Tier, credentials[id].Identity, now, minutes[id], identities[id], recentModels[id], baselineModels[id], calls[id], prompts[id])).ToList();
    }

    private static async Task ReadAsync(NpgsqlConnection connection, string sql, object[] parameters, Action<NpgsqlDataReader> row, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new() { Value = p });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            row(reader);
        }
    }
}
