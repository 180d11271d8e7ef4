using System.Globalization;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace CredentialBroker.Server.Reports;

/// <summary>Live credentials grouped by owner, purpose, provider and risk tier: counts, TTL distribution, last use, spend.</summary>
internal sealed class InventoryQuery(NpgsqlDataSource dataSource)
{
    /// <summary>The dimensions, in column order, with the columns each one groups by.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Dimensions = new Dictionary<string, string[]>
    {
        ["owner"] = ["owner_id", "owner_name"],
        ["purpose"] = ["purpose_id", "purpose_name", "risk_tier"],
        ["provider"] = ["provider_name"],
        ["risk_tier"] = ["risk_tier"],
    };

    private const string Live =
        $"""
        WITH live AS (
            SELECT c.id, c.owner_id, o.name AS owner_name, c.purpose_id, p.name AS purpose_name, p.risk_tier, c.provider_name,
                   extract(epoch FROM c.expires_at - c.issued_at) AS ttl, extract(epoch FROM c.max_expires_at - c.issued_at) AS lifetime
            FROM credentials c JOIN purposes p ON p.id = c.purpose_id JOIN owners o ON o.id = c.owner_id
            WHERE {LiveCredentials.Predicate}
        ), used AS (
            SELECT u.credential_id, max(u.occurred_at) AS last_used,
                   count(*) FILTER (WHERE u.occurred_at >= $2) AS requests,
                   coalesce(sum(u.cost_micro_usd) FILTER (WHERE u.occurred_at >= $2), 0) AS spend
            FROM usage_events u WHERE u.credential_id IN (SELECT id FROM live)
            GROUP BY u.credential_id
        )
        """;

    private const string Aggregates =
        """
        count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY ttl), percentile_cont(0.9) WITHIN GROUP (ORDER BY ttl),
        max(ttl), max(lifetime), max(used.last_used), count(*) FILTER (WHERE used.credential_id IS NULL),
        coalesce(sum(used.requests), 0)::bigint, coalesce(sum(used.spend), 0)::bigint
        """;

    public async Task<(List<InventoryGroup> Groups, InventoryGroup Total)> RunAsync(
        IReadOnlyList<string> groupBy, DateTimeOffset now, TimeSpan spendWindow, CancellationToken cancellationToken)
    {
        var columns = groupBy.SelectMany(d => Dimensions[d]).Distinct().ToList();
        var select = string.Join(", ", columns);
        var groups = await ReadAsync(
            $"{Live} SELECT {select}, {Aggregates} FROM live LEFT JOIN used ON used.credential_id = live.id GROUP BY {select} ORDER BY count(*) DESC, {select}",
            columns, now, spendWindow, cancellationToken);
        var total = await ReadAsync($"{Live} SELECT {Aggregates} FROM live LEFT JOIN used ON used.credential_id = live.id", [], now, spendWindow, cancellationToken);
        return (groups, total[0]);
    }

    /// <summary>Shadow keys seen since <paramref name="since"/> and irrevocable upstream keys.</summary>
    public async Task<(long Shadow, long Irrevocable)> UnaccountedKeysAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM shadow_keys WHERE last_seen >= $1), (SELECT count(*) FROM upstream_keys WHERE state = 'irrevocable')");
        command.Parameters.Add(new() { Value = since });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<List<InventoryGroup>> ReadAsync(string sql, List<string> columns, DateTimeOffset now, TimeSpan spendWindow, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = now - spendWindow });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var groups = new List<InventoryGroup>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var group = new InventoryGroup();
            for (var i = 0; i < columns.Count; i++)
            {
                var value = reader.IsDBNull(i) ? string.Empty : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)!;
                switch (columns[i])
                {
                    case "owner_id": group.OwnerId = value; break;
                    case "owner_name": group.OwnerName = value; break;
                    case "purpose_id": group.PurposeId = value; break;
                    case "purpose_name": group.PurposeName = value; break;
                    case "risk_tier": group.RiskTier = value; break;
                    case "provider_name": group.Provider = value; break;
                }
            }

            var a = columns.Count;
            group.LiveCredentials = reader.GetInt64(a);
            if (group.LiveCredentials > 0)
            {
                group.TtlP50 = Seconds(reader.GetDouble(a + 1));
                group.TtlP90 = Seconds(reader.GetDouble(a + 2));
                group.TtlMax = Seconds(Convert.ToDouble(reader.GetValue(a + 3), CultureInfo.InvariantCulture));
                group.LifetimeMax = Seconds(Convert.ToDouble(reader.GetValue(a + 4), CultureInfo.InvariantCulture));
            }

            if (!reader.IsDBNull(a + 5))
            {
                group.LastUsedAt = Timestamp.FromDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(a + 5));
            }

            group.NeverUsed = reader.GetInt64(a + 6);
            group.Requests = reader.GetInt64(a + 7);
            group.SpendMicroUsd = reader.GetInt64(a + 8);
            groups.Add(group);
        }

        return groups;
    }

    private static Duration Seconds(double seconds) => Duration.FromTimeSpan(TimeSpan.FromSeconds(Math.Round(seconds)));
}
