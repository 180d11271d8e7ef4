using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Governance;
using CredentialBroker.V1;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Governance;

/// <summary>A replica that dies mid-call leaves a reservation behind; the sweep charges it in full, once.</summary>
public sealed class ReservationSweepTests(GatewayFixture broker) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task AbandonedReservation_IsChargedInFullOnce_AndAudited()
    {
        var world = await broker.SeedGatewayAsync(p => p.CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 10_000 } } });
        var issued = await broker.IssueAsync(world);
        var windowStart = "2000-01-01T00:00:00Z";
        // What a replica does before forwarding, then it is killed: the reservation is never settled.
        await broker.ExecuteAsync(
            $"""
            SELECT * FROM budget_reserve_batch(ARRAY['credential'], ARRAY['{issued.Credential.Id}'::uuid], ARRAY['lifetime'], ARRAY['{windowStart}'::timestamptz],
                ARRAY[10000::bigint], ARRAY[0::bigint], ARRAY[0], ARRAY['{Guid.NewGuid()}'::uuid], ARRAY['{issued.Credential.Id}'::uuid], ARRAY[300::bigint], ARRAY[150::bigint],
                ARRAY[1, 2], ARRAY[1], '{broker.Time.GetUtcNow():O}')
            """);
        var sweeper = broker.Services.GetRequiredService<ReservationSweeper>();

        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        broker.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await sweeper.SweepAsync(CancellationToken.None));
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));

        Assert.Equal(1, await broker.CountAsync("budget_counters", $"scope_id = '{issued.Credential.Id}' AND spent_micro_usd = 300 AND spent_tokens = 150 AND reserved_micro_usd = 0 AND reserved_tokens = 0"));
        Assert.Equal(1, await broker.CountAsync("usage_events", $"credential_id = '{issued.Credential.Id}' AND outcome = 'abandoned' AND cost_micro_usd = 300"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'budget.reservation_abandoned' AND target_id = '{issued.Credential.Id}'"));
        Assert.Equal(0, await broker.CountAsync("budget_reservations"));
    }
}
