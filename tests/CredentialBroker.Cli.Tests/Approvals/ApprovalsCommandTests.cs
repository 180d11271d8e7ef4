using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Approvals;

public sealed class ApprovalsCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Request_List_Approve_AsOwnerThenSecurity_RoundTrips()
    {
        var world = await SeedAsync();

        var requested = await Brokerctl.RunAsync("-o", "json", "approvals", "request", "--workload", world.Workload.Id, "--purpose", world.Purpose.Id,
            "--tool", "shell_exec", "--tool", "shell_*", "--justification", "deploy agent", "--ttl", "7d", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);
        Assert.True(requested.ExitCode == 0, requested.ToString());
        using var json = JsonDocument.Parse(requested.Stdout);
        var id = json.RootElement.GetProperty("id").GetString()!;
        Assert.Equal("APPROVAL_STATUS_PENDING", json.RootElement.GetProperty("status").GetString());

        var pending = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "approvals", "list", "--status", "pending", "--workload", world.Workload.Id,
            "--addr", broker.GrpcAddress, "--token", world.SecurityToken);
        Assert.Equal(0, pending.ExitCode);
        var lines = pending.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("TOOLS", lines[0]);
        Assert.Contains(id, lines[1]);
        Assert.Contains("shell_exec,shell_*", lines[1]);
        Assert.Contains("pending", lines[1]);

        var approved = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "approvals", "approve", id, "--note", "reviewed",
            "--addr", broker.GrpcAddress, "--token", world.SecurityToken);
        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.Contains("Approved " + id, approved.Stdout);
        Assert.Contains("status:", approved.Stdout);
        Assert.Contains("approved", approved.Stdout);
        Assert.Contains("in 7d", approved.Stdout);

        var stored = await broker.ApprovalClient.ListApprovalsAsync(new ListApprovalsRequest { WorkloadId = world.Workload.Id }, broker.AdminAuth);
        Assert.Equal(ApprovalStatus.Approved, stored.Approvals.Single().Status);
    }

    [Fact]
    public async Task Approve_BySecurityOfTheSameOwner_IsDeniedWithTheTwoPersonRule()
    {
        var world = await SeedAsync();
        var approval = await broker.ApprovalClient.RequestToolApprovalAsync(
            new RequestToolApprovalRequest { PurposeId = world.Purpose.Id, Tools = { "shell_exec" }, Justification = "x" }, BrokerFixture.Bearer(world.WorkloadToken));
        var sameOwner = (await broker.Admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Security, OwnerId = world.Owner.Id }, broker.AdminAuth)).Token;

        var result = await Brokerctl.RunAsync("approvals", "approve", approval.Id, "--note", "mine", "--addr", broker.GrpcAddress, "--token", sameOwner);

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: PermissionDenied: ", result.Stderr);
        Assert.Contains("Two-person rule", result.Stderr);
    }

    [Fact]
    public async Task Deny_RecordsTheNote_AndRequestNeedsATool()
    {
        var world = await SeedAsync();
        var approval = await broker.ApprovalClient.RequestToolApprovalAsync(
            new RequestToolApprovalRequest { PurposeId = world.Purpose.Id, Tools = { "shell_exec" }, Justification = "x" }, BrokerFixture.Bearer(world.WorkloadToken));

        var denied = await Brokerctl.RunAsync("-o", "json", "approvals", "deny", approval.Id, "--note", "use the sandbox", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.True(denied.ExitCode == 0, denied.ToString());
        using var json = JsonDocument.Parse(denied.Stdout);
        Assert.Equal("APPROVAL_STATUS_DENIED", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("use the sandbox", json.RootElement.GetProperty("decision_note").GetString());

        var missing = await Brokerctl.RunAsync("approvals", "request", "--purpose", world.Purpose.Id, "--justification", "x", "--addr", broker.GrpcAddress, "--token", world.WorkloadToken);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--tool", missing.Stderr);
    }

    private Task<World> SeedAsync() => broker.SeedAsync(p => p.Gateway = new GatewayPolicy { HighRiskTools = { "shell_*" } });
}
