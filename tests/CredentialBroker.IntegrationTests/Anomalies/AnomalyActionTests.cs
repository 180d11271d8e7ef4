using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Anomalies;
using CredentialBroker.V1;
using AnomalyAction = CredentialBroker.Server.Anomalies.AnomalyAction;
using AnomalyKind = CredentialBroker.Server.Anomalies.AnomalyKind;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>What a finding does to a credential, by the risk tier's policy, seen from the gateway and the API.</summary>
public sealed class AnomalyActionTests(GatewayFixture broker) : IClassFixture<GatewayFixture>
{
    private AnomalyResponder Responder => broker.Services.GetRequiredService<AnomalyResponder>();

    private static AnomalyFinding Finding(string credentialId, AnomalyKind kind, double score = 3) =>
        new(Guid.Parse(credentialId), kind, score, new Dictionary<string, string> { ["metric"] = "test", ["observed"] = "30" }, "test finding");

    [Fact]
    public async Task Suspend_GatewayRefusesNamingTheAnomaly_RenewRefused_OnceOnly()
    {
        var world = await broker.SeedGatewayAsync();
        var issued = await broker.IssueAsync(world);
        using (var before = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var anomalyId = await Responder.RespondAsync(Finding(issued.Credential.Id, AnomalyKind.IdentityMismatch), CancellationToken.None);
        var again = await Responder.RespondAsync(Finding(issued.Credential.Id, AnomalyKind.IdentityMismatch), CancellationToken.None);

        Assert.NotNull(anomalyId);
        Assert.Null(again);
        Assert.Equal(1, await broker.CountAsync("anomalies", $"credential_id = '{issued.Credential.Id}' AND kind = 'identity_mismatch' AND action = 'suspend' AND status = 'open'"));
        using var after = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat());
        var (code, message) = await GatewayFixture.ErrorAsync(after);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
        Assert.Equal("key_suspended", code);
        Assert.Contains(anomalyId.ToString()!, message, StringComparison.Ordinal);
        Assert.Contains("reinstate", message, StringComparison.Ordinal);

        var renew = await Assert.ThrowsAsync<RpcException>(() => broker.Credentials.RenewCredentialAsync(new RenewCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.WorkloadToken)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, renew.StatusCode);
        Assert.Contains("suspended", renew.Status.Detail, StringComparison.Ordinal);
        var read = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.OwnerToken));
        Assert.Equal(CredentialStatus.Suspended, read.Credential.Status);
        Assert.Equal(anomalyId.ToString(), read.Credential.SuspendedBy);
        var listed = await broker.Credentials.ListCredentialsAsync(new ListCredentialsRequest { OwnerId = world.Owner.Id, Status = CredentialStatus.Suspended }, BrokerFixture.Bearer(world.OwnerToken));
        Assert.Equal(issued.Credential.Id, Assert.Single(listed.Credentials).Id);

        var details = $"metadata->>'anomaly_id' = '{anomalyId}' AND metadata->>'credential_id' = '{issued.Credential.Id}' AND metadata->>'kind' = 'identity_mismatch' AND metadata->>'action' = 'suspend' AND metadata ? 'score' AND metadata ? 'evidence'";
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'anomaly.detected' AND {details}"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.suspended' AND {details}"));

        // A suspended credential can still be revoked for good.
        var revoked = await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id, Reason = "confirmed leak" }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(CredentialStatus.Revoked, revoked.Credential.Status);
    }

    [Fact]
    public async Task Narrow_LowersTheCredentialsRateLimitAtTheGateway()
    {
        var world = await broker.SeedGatewayAsync(p => p.CredentialLimits = new Limits { RequestsPerMinute = 8 });
        var issued = await broker.IssueAsync(world);

        var anomalyId = await Responder.RespondAsync(Finding(issued.Credential.Id, AnomalyKind.Loop), CancellationToken.None);

        Assert.NotNull(anomalyId);
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND status = 'active' AND (narrowed_limits->>'requestsPerMinute')::int = 2"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.narrowed' AND metadata->>'anomaly_id' = '{anomalyId}' AND metadata->>'requests_per_minute' = '2'"));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat());
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task IdentityMismatch_OnCustomerFacingPurpose_Revokes()
    {
        var world = await broker.SeedGatewayAsync(purpose: p => p.RiskTier = RiskTier.CustomerFacing);
        var issued = await broker.IssueAsync(world);

        var anomalyId = await Responder.RespondAsync(Finding(issued.Credential.Id, AnomalyKind.IdentityMismatch, 1), CancellationToken.None);

        using var response = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat());
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("key_revoked", (await GatewayFixture.ErrorAsync(response)).Code);
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND status = 'revoked' AND revocation_reason LIKE 'Anomaly {anomalyId}%'"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.revoked' AND target_id = '{issued.Credential.Id}' AND metadata->>'anomaly_id' = '{anomalyId}'"));
    }

    [Fact]
    public async Task SpikeOnSandbox_OnlyAlerts()
    {
        var world = await broker.SeedGatewayAsync(purpose: p => p.RiskTier = RiskTier.Sandbox);
        var issued = await broker.IssueAsync(world);

        var anomalyId = await Responder.RespondAsync(Finding(issued.Credential.Id, AnomalyKind.Spike), CancellationToken.None);

        Assert.Equal(1, await broker.CountAsync("anomalies", $"id = '{anomalyId}' AND action = 'alert'"));
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND status = 'active' AND narrowed_limits IS NULL"));
        using var response = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
