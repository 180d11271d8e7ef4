using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.IntegrationTests.Reports;

/// <summary>A broker on its own database (reports are database-wide), with helpers to add synthetic usage.</summary>
public sealed class ReportFixture : BrokerFixture
{
    public ReportService.ReportServiceClient Reports => new(Channel);

    /// <summary>A seeded world whose purpose bounds its credentials (a rate limit), so least-privilege passes.</summary>
    public Task<World> SeedBoundedAsync() =>
        SeedAsync(p => p.Gateway = new GatewayPolicy { CredentialLimits = new Limits { RequestsPerMinute = 60 } });

    /// <summary>Inserts one metered call of <paramref name="credential"/> as the gateway would record it.</summary>
    public Task InsertUsageAsync(Credential credential, DateTimeOffset at, long costMicroUsd = 100, string? callerIdentity = null) =>
        ExecuteAsync($"""
            INSERT INTO usage_events (occurred_at, credential_id, owner_id, purpose_id, workload_id, provider_name, endpoint, model, status_code,
                outcome, streamed, input_tokens, cached_input_tokens, output_tokens, cost_micro_usd, usage_source, latency_ms, caller_identity, call_depth)
            VALUES ('{at:O}', '{credential.Id}', '{credential.OwnerId}', '{credential.PurposeId}', '{credential.WorkloadId}', '{credential.Provider}',
                'chat.completions', 'gpt-4o-mini', 200, 'success', false, 10, 0, 5, {costMicroUsd}, 'reported', 20,
                {(callerIdentity is null ? "NULL" : $"'{callerIdentity}'")}, 0)
            """);
}
