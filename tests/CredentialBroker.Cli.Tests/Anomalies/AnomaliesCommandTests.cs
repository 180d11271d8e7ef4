using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Identity;
using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.Simulator;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Anomalies;

/// <summary>brokerctl anomalies list|ack|reinstate against a real broker, after a real leak suspended a key.</summary>
public sealed class AnomaliesCommandTests(JwtBrokerFixture broker) : IClassFixture<JwtBrokerFixture>
{
    /// <summary>A key used with another workload's identity, suspended by the gateway's real-time check.</summary>
    private async Task<(World World, IssueCredentialResponse Issued)> LeakAsync(SimulatedProvider upstream)
    {
        var world = await broker.SeedAsync(
            p =>
            {
                p.AllowedModels.Clear();
                p.Gateway = new GatewayPolicy { UnpricedPolicy = UnpricedPolicy.Cap, UnpricedCapMicroUsd = 10 };
            },
            p => p.BaseUrl = upstream.BaseUrl);
        var issued = await broker.IssueAsync(world);
        var other = await broker.Admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = $"spiffe://test.local/thief-{Guid.NewGuid():N}", OwnerId = world.Owner.Id }, broker.AdminAuth);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, broker.GatewayAddress + "/openai/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issued.Secret);
        request.Headers.Add("Broker-Identity", broker.CreateToken(other.Identity));
        using var response = await http.SendAsync(request);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND status = 'suspended'") == 0)
        {
            await Task.Delay(20);
        }

        return (world, issued);
    }

    [Fact]
    public async Task ListAckReinstate_AsSecurity_EndToEnd()
    {
        await using var upstream = await SimulatedProvider.StartAsync();
        var (world, issued) = await LeakAsync(upstream);
        var env = Brokerctl.Environment(broker.Time);
        string[] auth = ["--addr", broker.GrpcAddress, "--token", world.SecurityToken];

        var list = await Brokerctl.RunAsync(env, ["anomalies", "list", "--credential", issued.Credential.Id, .. auth]);
        Assert.Equal(0, list.ExitCode);
        var lines = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("KIND", lines[0]);
        Assert.Contains("identity_mismatch", lines[1]);
        Assert.Contains("suspend", lines[1]);
        Assert.Contains("open", lines[1]);
        var json = await Brokerctl.RunAsync(env, ["-o", "json", "anomalies", "list", "--status", "open", "--kind", "identity_mismatch", "--credential", issued.Credential.Id, .. auth]);
        using var doc = JsonDocument.Parse(json.Stdout);
        var anomalyId = doc.RootElement[0].GetProperty("id").GetString()!;
        Assert.Contains("thief", doc.RootElement[0].GetProperty("evidence").GetProperty("presented_identities").GetString(), StringComparison.Ordinal);

        var ack = await Brokerctl.RunAsync(env, ["anomalies", "ack", anomalyId, "--note", "investigating", .. auth]);
        Assert.Equal(0, ack.ExitCode);
        Assert.Contains("acknowledged", ack.Stdout, StringComparison.Ordinal);

        var reinstate = await Brokerctl.RunAsync(env, ["anomalies", "reinstate", issued.Credential.Id, "--note", "rotated the leaked JWT signer", .. auth]);
        Assert.Equal(0, reinstate.ExitCode);
        Assert.Contains($"Reinstated {issued.Credential.Prefix}", reinstate.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 anomalies resolved", reinstate.Stdout, StringComparison.Ordinal);
        var read = await broker.Credentials.GetCredentialAsync(new GetCredentialRequest { Id = issued.Credential.Id }, BrokerFixture.Bearer(world.SecurityToken));
        Assert.Equal(CredentialStatus.Active, read.Credential.Status);
    }

    [Fact]
    public async Task Reinstate_AsOwner_PermissionDenied_AndMissingNote_IsAUsageError()
    {
        await using var upstream = await SimulatedProvider.StartAsync();
        var (world, issued) = await LeakAsync(upstream);

        var denied = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "anomalies", "reinstate", issued.Credential.Id, "--note", "mine", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);
        var noNote = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "anomalies", "reinstate", issued.Credential.Id, "--addr", broker.GrpcAddress, "--token", world.SecurityToken);
        var badKind = await Brokerctl.RunAsync(Brokerctl.Environment(broker.Time), "anomalies", "list", "--kind", "weird", "--addr", broker.GrpcAddress, "--token", world.SecurityToken);

        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("security", denied.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, noNote.ExitCode);
        Assert.Contains("--note", noNote.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, badKind.ExitCode);
        Assert.Equal(1, await broker.CountAsync("credentials", $"id = '{issued.Credential.Id}' AND status = 'suspended'"));
    }
}
