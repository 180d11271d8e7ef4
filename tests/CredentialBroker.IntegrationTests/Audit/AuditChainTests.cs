using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Audit;
using CredentialBroker.V1;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Audit;

public sealed class AuditChainTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Verify_UntouchedLog_IsOkAndEventsAreListed()
    {
        var world = await broker.SeedAsync();
        var issued = await broker.IssueAsync(world);
        // An event is sealed once every transaction older than it has ended; on a busy machine another
        // test's transaction can hold that back for a moment.
        ListAuditEventsResponse events;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await broker.Services.GetRequiredService<AuditSealer>().SealAsync(CancellationToken.None);
            events = await broker.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { TargetId = issued.Credential.Id }, BrokerFixture.Bearer(world.SecurityToken));
        }
        while (events.Events.Any(e => e.Seq == 0) && DateTime.UtcNow < deadline && await Task.Delay(100).ContinueWith(_ => true));

        var issuedEvent = Assert.Single(events.Events);
        Assert.Equal("credential.issued", issuedEvent.Action);
        Assert.Equal($"workload:{world.Workload.Identity}", issuedEvent.Actor);
        Assert.Equal(Role.Workload, issuedEvent.ActorRole);
        Assert.Equal("/credentialbroker.v1.CredentialService/IssueCredential", issuedEvent.Metadata["method"]);
        Assert.True(issuedEvent.Seq > 0);
        Assert.Equal(64, issuedEvent.Hash.Length);
        Assert.True((await broker.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), broker.AdminAuth)).Ok);
    }

    [Fact]
    public async Task Database_RefusesEditsAndDeletesOfAuditEvents()
    {
        await AuditTampering.SealedRangeAsync(broker);

        await Assert.ThrowsAsync<PostgresException>(() => broker.ExecuteAsync("UPDATE audit_events SET reason = 'edited' WHERE id = (SELECT min(id) FROM audit_events)"));
        await Assert.ThrowsAsync<PostgresException>(() => broker.ExecuteAsync("DELETE FROM audit_events WHERE id = (SELECT min(id) FROM audit_events)"));
        await Assert.ThrowsAsync<PostgresException>(() => broker.ExecuteAsync("TRUNCATE audit_events"));
        Assert.True((await broker.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), broker.AdminAuth)).Ok);
    }
}

/// <summary>
/// Tampering needs more power than the broker's own: the append-only trigger refuses edits, so
/// these tests disable it the way a database superuser could, then expect the chain to notice.
/// Each tampering test has a database of its own (one class each).
/// </summary>
internal static class AuditTampering
{
    /// <summary>Writes and seals some events; returns two chain positions well inside the chain.</summary>
    public static async Task<(long First, long Last)> SealedRangeAsync(BrokerFixture broker)
    {
        var world = await broker.SeedAsync();
        for (var i = 0; i < 5; i++)
        {
            await broker.IssueAsync(world);
        }

        // Sealing waits for every older transaction in the cluster (xmin is cluster-wide), and other
        // test classes run transactions on the same PostgreSQL: seal until the events are in the chain.
        VerifyAuditChainResponse verified;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        do
        {
            await broker.Services.GetRequiredService<AuditSealer>().SealAsync(CancellationToken.None);
            verified = await broker.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), broker.AdminAuth);
            Assert.True(verified.Ok, verified.Problem);
        }
        while (verified.VerifiedCount < 10 && DateTime.UtcNow < deadline && await Task.Delay(50).ContinueWith(_ => true));

        Assert.True(verified.VerifiedCount >= 10, $"only {verified.VerifiedCount} events sealed");
        return (verified.VerifiedCount - 4, verified.VerifiedCount - 2);
    }

    public static Task TamperAsync(BrokerFixture broker, string sql) =>
        broker.ExecuteAsync($"ALTER TABLE audit_events DISABLE TRIGGER USER; {sql}; ALTER TABLE audit_events ENABLE TRIGGER USER;");
}

public sealed class AuditEditTamperTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Verify_EditedEvent_ReportsHashMismatchAtThatEvent()
    {
        var (first, _) = await AuditTampering.SealedRangeAsync(broker);
        await AuditTampering.TamperAsync(broker, $"UPDATE audit_events SET reason = 'nothing to see' WHERE seq = {first}");

        var result = await broker.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), broker.AdminAuth);

        Assert.False(result.Ok);
        Assert.Equal(first, result.FirstBrokenSeq);
        Assert.Contains("changed", result.Problem);
    }
}

public sealed class AuditDeleteTamperTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Verify_DeletedEvent_ReportsGap()
    {
        var (first, _) = await AuditTampering.SealedRangeAsync(broker);
        await AuditTampering.TamperAsync(broker, $"DELETE FROM audit_events WHERE seq = {first}");

        var result = await broker.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), broker.AdminAuth);

        Assert.False(result.Ok);
        Assert.Equal(first, result.FirstBrokenSeq);
        Assert.Contains("missing", result.Problem);
    }
}

public sealed class AuditReorderTamperTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Verify_ReorderedEvents_ReportsBrokenLink()
    {
        var (first, last) = await AuditTampering.SealedRangeAsync(broker);
        await AuditTampering.TamperAsync(broker, $"""
            UPDATE audit_events SET seq = -1 WHERE seq = {first};
            UPDATE audit_events SET seq = {first} WHERE seq = {last};
            UPDATE audit_events SET seq = {last} WHERE seq = -1
            """);

        var result = await broker.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), broker.AdminAuth);

        Assert.False(result.Ok);
        Assert.Equal(first, result.FirstBrokenSeq);
    }
}
