using System.Diagnostics;
using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Xunit.Abstractions;

namespace CredentialBroker.IntegrationTests.ScaleOut;

/// <summary>
/// Mass-revocation marking survives <c>kill -9</c> of the replica doing it: another replica finishes, every
/// covered row ends revoked once, counted once, with one completion audit event, and no gateway accepts the key.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class RevocationMarkingCrashTests(ThreeReplicaFixture cluster, ITestOutputHelper output)
{
    // RevocationMarker's advisory lock (one marker at a time across replicas).
    private const long MarkerLockKey = 0x4342_5245_564D_524B;

    [Fact]
    public async Task RevokeMatching_MarkingReplicaKilledMidway_AnotherReplicaMarksEachRowOnce()
    {
        const int copies = 20_000;
        var world = await cluster.SeedGatewayAsync();
        var issued = await cluster.IssueAsync(world, new Dictionary<string, string> { ["incident"] = "marking-crash" });
        await cluster.ScalarAsync<long>(
            """
            WITH seeded AS (
                INSERT INTO credentials (id, prefix, secret_hash, owner_id, purpose_id, workload_id, provider_id, provider_name, models, labels, status,
                                         issued_at, expires_at, max_expires_at)
                SELECT gen_random_uuid(), 'cbk_mark' || g, sha256(convert_to($2 || g, 'UTF8')), t.owner_id, t.purpose_id, t.workload_id, t.provider_id,
                       t.provider_name, t.models, t.labels, 'active', t.issued_at - interval '1 second', t.expires_at, t.max_expires_at
                FROM credentials t, generate_series(1, $3) g WHERE t.id = $1
                RETURNING 1)
            SELECT count(*) FROM seeded
            """,
            Guid.Parse(issued.Credential.Id), Guid.NewGuid().ToString("N"), copies);
        using (var warm = await cluster.ChatAsync(cluster.Replicas[1], issued.Secret))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var revoked = await new RevocationService.RevocationServiceClient(cluster.Replicas[0].Channel).RevokeMatchingAsync(
            new RevokeMatchingRequest { Selector = new Selector { Labels = { ["incident"] = "marking-crash" } }, Reason = "incident" }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(copies + 1, revoked.MatchedCount);
        var watermark = Guid.Parse(revoked.RevocationId);

        // Kill whichever replica holds the marker's lock once ten batches are marked.
        var clock = Stopwatch.StartNew();
        string? holder = null;
        while (holder is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "no replica started marking");
            Assert.Null(await cluster.ScalarAsync<DateTime?>("SELECT marking_completed_at FROM revocation_watermarks WHERE id = $1", watermark));
            if (await MarkedAsync(watermark) >= 10 * ThreeReplicaFixture.ExpiryBatchSize)
            {
                holder = await cluster.ScalarAsync<string?>(
                    """
                    SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND (l.classid::bigint << 32) + l.objid::bigint = $1
                    """, MarkerLockKey);
            }

            await Task.Delay(holder is null ? 10 : 0);
        }

        var victim = cluster.Replicas.Single(r => r.Id == holder);
        victim.KillHard();
        while (await cluster.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", victim.Id) > 0)
        {
            await Task.Delay(20);
        }

        var markedAtKill = await MarkedAsync(watermark);
        output.WriteLine($"{victim.Id} was marking; killed with {markedAtKill} of {copies + 1} rows marked");
        Assert.InRange(markedAtKill, 1, copies);

        var survivors = cluster.Replicas.Where(r => r != victim).ToList();
        var sinceKill = Stopwatch.StartNew();
        while (await cluster.ScalarAsync<DateTime?>("SELECT marking_completed_at FROM revocation_watermarks WHERE id = $1", watermark) is null)
        {
            Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(60), $"survivors left marking at {await MarkedAsync(watermark)} of {copies + 1}");
            foreach (var survivor in survivors)
            {
                using var response = await cluster.ChatAsync(survivor, issued.Secret);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        output.WriteLine($"marking completed {sinceKill.Elapsed.TotalSeconds:0.0} s after the kill");
        Assert.Equal(copies + 1, await MarkedAsync(watermark));
        Assert.Equal(copies + 1, await cluster.ScalarAsync<long>("SELECT count(*) FROM credentials WHERE revocation_id = $1 AND status = 'revoked'", watermark));
        Assert.Equal(0, await cluster.ScalarAsync<long>("SELECT count(*) FROM credentials WHERE labels @> '{\"incident\":\"marking-crash\"}' AND status <> 'revoked'"));
        Assert.Equal(1, await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE action = 'revocation.marking_completed' AND target_id = $1", revoked.RevocationId));

        await cluster.RestartAsync(victim);
    }

    private Task<long> MarkedAsync(Guid watermark) =>
        cluster.ScalarAsync<long>("SELECT marked_count FROM revocation_watermarks WHERE id = $1", watermark);
}
