using CredentialBroker.Server.Budgets;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.Server.Telemetry;

/// <summary>
/// The observable gauges: read at collection time from state the broker keeps anyway (queue lengths,
/// a cached count), so a scrape never waits on the database for long. Kept apart from
/// <see cref="BrokerMetrics"/> because the queues' owners record into it.
/// </summary>
internal sealed class BrokerGauges
{
    public BrokerGauges(BrokerMetrics metrics, BudgetLedger ledger, UsageRecorder usage, ActiveCredentialCounts active)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("broker.credentials.active", active.Observe, "{credential}",
            $"Active, unexpired credentials by risk tier (counted at most every {ActiveCredentialCounts.MaxAge.TotalSeconds:0} s).");
        meter.CreateObservableGauge("broker.budget.reservation_backlog", () => (long)ledger.Backlog, "{reservation}",
            "Budget reservations queued for the next batch.");
        meter.CreateObservableGauge("broker.usage.pending", () => usage.Pending, "{event}",
            "Usage events accepted but not yet written.");
    }
}
