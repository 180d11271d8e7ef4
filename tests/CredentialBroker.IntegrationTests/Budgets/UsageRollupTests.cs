using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.IntegrationTests.Reports;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Budgets;

/// <summary>GetUsage reads hourly roll-ups for whole hours and raw events at the edges; the sum must equal the raw events exactly.</summary>
public sealed class UsageRollupTests(ReportFixture fixture) : IClassFixture<ReportFixture>
{
    [Fact]
    public async Task GetUsage_RandomRanges_EqualTheRawEventsForEveryScope()
    {
        var world = await fixture.SeedAsync(p => p.Gateway = new GatewayPolicy { CredentialLimits = new Limits { RequestsPerMinute = 60 }, MaxDelegationDepth = 1 });
        var credential = (await fixture.IssueAsync(world)).Credential;
        var child = (await fixture.Credentials.DelegateCredentialAsync(new DelegateCredentialRequest { ParentId = credential.Id }, BrokerFixture.Bearer(world.WorkloadToken))).Credential;
        var other = (await fixture.IssueAsync(world)).Credential;
        var origin = new DateTimeOffset(2026, 10, 30, 21, 7, 0, TimeSpan.Zero); // spans the October/November boundary
        // 600 calls, 7 minutes 13 seconds apart, over three days and two months, two models, some failed;
        // plus one far in the future, in the default partition.
        await fixture.ExecuteAsync($"""
            INSERT INTO usage_events (occurred_at, credential_id, owner_id, purpose_id, workload_id, provider_name, endpoint, model, status_code,
                outcome, streamed, input_tokens, cached_input_tokens, output_tokens, cost_micro_usd, usage_source, latency_ms, caller_identity, call_depth)
            SELECT '{origin:O}'::timestamptz + i * interval '433 seconds',
                   CASE WHEN i % 5 = 0 THEN '{other.Id}'::uuid WHEN i % 7 = 0 THEN '{child.Id}'::uuid ELSE '{credential.Id}'::uuid END,
                   '{credential.OwnerId}'::uuid, '{credential.PurposeId}'::uuid, '{credential.WorkloadId}'::uuid, 'p', 'chat.completions',
                   CASE WHEN i % 3 = 0 THEN 'gpt-4o' ELSE 'gpt-4o-mini' END, 200, CASE WHEN i % 11 = 0 THEN 'upstream_error' ELSE 'success' END,
                   false, 100 + i, i % 7, 10 + i % 13, 1000 + i, 'reported', 5, NULL, 0
            FROM generate_series(0, 599) AS i
            UNION ALL
            SELECT '2030-01-01T00:30:00Z', '{credential.Id}'::uuid, '{credential.OwnerId}', '{credential.PurposeId}', '{credential.WorkloadId}', 'p', 'chat.completions',
                   'gpt-4o', 200, 'success', false, 1, 0, 1, 77, 'reported', 5, NULL, 0
            """);
        var random = new Random(20261129);
        var ranges = new List<(DateTimeOffset, DateTimeOffset)>
        {
            (origin.AddDays(-1), new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            (new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 1, 5, 0, 0, TimeSpan.Zero)),
            (origin.AddMinutes(3), origin.AddMinutes(40)),
        };
        for (var i = 0; i < 25; i++)
        {
            var start = origin.AddSeconds(random.Next(-3600, 3 * 86400));
            ranges.Add((start, start.AddSeconds(random.Next(1, 2 * 86400))));
        }

        foreach (var (start, end) in ranges)
        {
            foreach (var (scope, ids) in new (string, string[])[] { ("credential", [credential.Id]), ("descendants", [credential.Id, child.Id]), ("purpose", [credential.PurposeId]), ("owner", [credential.OwnerId]) })
            {
                var request = new GetUsageRequest { StartTime = Timestamp.FromDateTimeOffset(start), EndTime = Timestamp.FromDateTimeOffset(end), IncludeDescendants = scope == "descendants" };
                _ = scope switch { "credential" or "descendants" => request.CredentialId = ids[0], "purpose" => request.PurposeId = ids[0], _ => request.OwnerId = ids[0] };

                var usage = await fixture.Usage.GetUsageAsync(request, BrokerFixture.Bearer(world.SecurityToken));

                var expected = await RawAsync(scope == "descendants" ? "credential_id" : $"{scope}_id", ids, start, end);
                Assert.True(expected == Actual(usage), $"{scope} {start:O}..{end:O}: expected {expected}, got {Actual(usage)}");
            }
        }
    }

    private static string Actual(GetUsageResponse usage) =>
        string.Join(" | ", usage.ByModel.OrderBy(m => m.Model, StringComparer.Ordinal).Select(m =>
            $"{m.Model} {m.Totals.Requests} {m.Totals.FailedRequests} {m.Totals.InputTokens} {m.Totals.CachedInputTokens} {m.Totals.OutputTokens} {m.Totals.CostMicroUsd}"));

    private async Task<string> RawAsync(string column, string[] ids, DateTimeOffset start, DateTimeOffset end)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT model, count(*), count(*) FILTER (WHERE outcome <> 'success'), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(cost_micro_usd)
            FROM usage_events WHERE {column} = ANY($1::uuid[]) AND occurred_at >= $2 AND occurred_at < $3 GROUP BY model ORDER BY model COLLATE "C"
            """, connection);
        command.Parameters.Add(new() { Value = ids.Select(Guid.Parse).ToArray() });
        command.Parameters.Add(new() { Value = start });
        command.Parameters.Add(new() { Value = end });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetString(0)} {reader.GetInt64(1)} {reader.GetInt64(2)} {reader.GetDecimal(3)} {reader.GetDecimal(4)} {reader.GetDecimal(5)} {reader.GetDecimal(6)}");
        }

        return string.Join(" | ", rows);
    }
}
