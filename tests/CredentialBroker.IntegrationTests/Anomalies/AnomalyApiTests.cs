using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Server.Anomalies;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using ServerKind = CredentialBroker.Server.Anomalies.AnomalyKind;

namespace CredentialBroker.IntegrationTests.Anomalies;

/// <summary>AnomalyService: security lists, acknowledges and reinstates.</summary>
public sealed class AnomalyApiTests(GatewayFixture broker) : IClassFixture<GatewayFixture>
{
    private AnomalyService.AnomalyServiceClient Client => new(broker.Channel);

    private async Task<(World World, IssueCredentialResponse Issued, Guid AnomalyId)> SuspendedAsync()
    {
        var world = await broker.SeedGatewayAsync();
        var issued = await broker.IssueAsync(world);
        var id = await broker.Services.GetRequiredService<AnomalyResponder>().RespondAsync(
            new AnomalyFinding(Guid.Parse(issued.Credential.Id), ServerKind.IdentityMismatch, 2, new Dictionary<string, string> { ["presented_identities"] = "spiffe://x/thief" }, "leak"),
            CancellationToken.None);
        return (world, issued, id!.Value);
    }

    [Fact]
    public async Task List_FiltersAndPages_EvidenceIncluded()
    {
        var (world, issued, anomalyId) = await SuspendedAsync();
        var responder = broker.Services.GetRequiredService<AnomalyResponder>();
        broker.Time.Advance(TimeSpan.FromSeconds(1));
        await responder.RespondAsync(new AnomalyFinding(Guid.Parse(issued.Credential.Id), ServerKind.Loop, 1.5, new Dictionary<string, string>(), "loop"), CancellationToken.None);
        var auth = BrokerFixture.Bearer(world.SecurityToken);

        var mismatches = await Client.ListAnomaliesAsync(new ListAnomaliesRequest { CredentialId = issued.Credential.Id, Kind = V1.AnomalyKind.IdentityMismatch }, auth);
        var first = await Client.ListAnomaliesAsync(new ListAnomaliesRequest { CredentialId = issued.Credential.Id, PageSize = 1 }, auth);
        var second = await Client.ListAnomaliesAsync(new ListAnomaliesRequest { CredentialId = issued.Credential.Id, PageSize = 1, PageToken = first.NextPageToken }, auth);

        var one = Assert.Single(mismatches.Anomalies);
        Assert.Equal(anomalyId.ToString(), one.Id);
        Assert.Equal(V1.AnomalyAction.Suspend, one.Action);
        Assert.Equal(V1.AnomalyStatus.Open, one.Status);
        Assert.Equal("spiffe://x/thief", one.Evidence["presented_identities"]);
        Assert.Equal(V1.AnomalyKind.Loop, Assert.Single(first.Anomalies).Kind);
        Assert.Equal(anomalyId.ToString(), Assert.Single(second.Anomalies).Id);
        Assert.Empty(second.NextPageToken);
    }

    [Fact]
    public async Task List_BadInputOrWrongRole_Refused()
    {
        var (world, _, _) = await SuspendedAsync();

        var bad = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, Client.ListAnomaliesAsync(
            new ListAnomaliesRequest { CredentialId = "nope", Kind = (V1.AnomalyKind)99, PageSize = 501 }, BrokerFixture.Bearer(world.SecurityToken)));
        Assert.Contains("credential_id", bad.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("kind", bad.Status.Detail, StringComparison.Ordinal);
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, Client.ListAnomaliesAsync(new ListAnomaliesRequest(), BrokerFixture.Bearer(world.OwnerToken)));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, Client.ReinstateCredentialAsync(new ReinstateCredentialRequest(), BrokerFixture.Bearer(world.WorkloadToken)));
    }

    [Fact]
    public async Task Acknowledge_RecordsWhoAndNote_ResolveCloses()
    {
        var (world, _, anomalyId) = await SuspendedAsync();
        var auth = BrokerFixture.Bearer(world.SecurityToken);

        var acked = await Client.AcknowledgeAnomalyAsync(new AcknowledgeAnomalyRequest { Id = anomalyId.ToString(), Note = "looking into it" }, auth);
        var resolved = await Client.AcknowledgeAnomalyAsync(new AcknowledgeAnomalyRequest { Id = anomalyId.ToString(), Note = "rotated", Resolve = true }, auth);

        Assert.Equal(V1.AnomalyStatus.Acknowledged, acked.Anomaly.Status);
        Assert.Equal("looking into it", acked.Anomaly.Note);
        Assert.StartsWith("security:token:", acked.Anomaly.AcknowledgedBy, StringComparison.Ordinal);
        Assert.Equal(V1.AnomalyStatus.Resolved, resolved.Anomaly.Status);
        Assert.NotNull(resolved.Anomaly.ResolvedAt);
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'anomaly.acknowledged' AND metadata->>'anomaly_id' = '{anomalyId}'"));
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, Client.AcknowledgeAnomalyAsync(new AcknowledgeAnomalyRequest { Id = anomalyId.ToString() }, auth), "resolved");
        await RpcAssert.FailsAsync(StatusCode.NotFound, Client.AcknowledgeAnomalyAsync(new AcknowledgeAnomalyRequest { Id = Guid.NewGuid().ToString() }, auth));
    }

    [Fact]
    public async Task Reinstate_SuspendedKeyWorksAgain_AnomaliesResolved_NewIncidentIsNewAnomaly()
    {
        var (world, issued, anomalyId) = await SuspendedAsync();
        var auth = BrokerFixture.Bearer(world.SecurityToken);
        var before = await broker.SnapshotAsync();
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, Client.ReinstateCredentialAsync(new ReinstateCredentialRequest { CredentialId = issued.Credential.Id }, auth), "note");
        Assert.Equal(before, await broker.SnapshotAsync());

        var reinstated = await Client.ReinstateCredentialAsync(new ReinstateCredentialRequest { CredentialId = issued.Credential.Id, Note = "false alarm: shared CI runner identity" }, auth);

        Assert.Equal(CredentialStatus.Active, reinstated.Credential.Status);
        Assert.Equal(1, reinstated.ResolvedAnomalies);
        using (var response = await broker.PostAsync("/openai/v1/chat/completions", issued.Secret, GatewayFixture.Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, await broker.CountAsync("anomalies", $"id = '{anomalyId}' AND status = 'resolved' AND note LIKE 'false alarm%'"));
        Assert.Equal(1, await broker.CountAsync("audit_events", $"action = 'credential.reinstated' AND target_id = '{issued.Credential.Id}' AND metadata->>'anomaly_id' = '{anomalyId}'"));
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, Client.ReinstateCredentialAsync(new ReinstateCredentialRequest { CredentialId = issued.Credential.Id, Note = "again" }, auth), "nothing to reinstate");

        var again = await broker.Services.GetRequiredService<AnomalyResponder>().RespondAsync(
            new AnomalyFinding(Guid.Parse(issued.Credential.Id), ServerKind.IdentityMismatch, 2, new Dictionary<string, string>(), "leak again"), CancellationToken.None);
        Assert.NotNull(again);
        Assert.NotEqual(anomalyId, again);
    }

    [Fact]
    public async Task Reinstate_RevokedCredential_Refused()
    {
        var (world, issued, _) = await SuspendedAsync();
        await broker.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id, Reason = "confirmed" }, BrokerFixture.Bearer(world.SecurityToken));

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            Client.ReinstateCredentialAsync(new ReinstateCredentialRequest { CredentialId = issued.Credential.Id, Note = "oops" }, BrokerFixture.Bearer(world.SecurityToken)), "revoked");
    }
}
