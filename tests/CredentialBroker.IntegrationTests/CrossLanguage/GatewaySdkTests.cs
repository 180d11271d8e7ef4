using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Xunit.Abstractions;

namespace CredentialBroker.IntegrationTests.CrossLanguage;

/// <summary>
/// The official OpenAI and Anthropic Node.js SDKs, changed only in base URL and API key, work against
/// the gateway: <c>tests/node-client/gateway.mjs</c> calls chat (plain and streamed), responses,
/// embeddings, models, Anthropic messages (plain and streamed) and count_tokens, and sees the SDKs'
/// own error types for an exhausted budget and a revoked key.
/// </summary>
public sealed class GatewaySdkTests(GatewayFixture broker, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task OfficialSdks_CallEveryGatewayEndpoint_Succeed()
    {
        // models.list names concrete models only; the key narrows the purpose's list, and gpt-4.1 must not be listed.
        var openAi = await broker.SeedGatewayAsync(purpose: p => p.AllowedModels.Add(["gpt-4o-mini", "gpt-4.1", "text-embedding-3-small"]));
        var openAiKey = await broker.Credentials.IssueCredentialAsync(
            new IssueCredentialRequest { Purpose = openAi.Purpose.Name, Provider = openAi.Provider.Name, Models = { "gpt-4o-mini", "text-embedding-3-small" } },
            BrokerFixture.Bearer(openAi.WorkloadToken));
        var anthropic = await broker.SeedGatewayAsync(kind: "anthropic");
        // 300 micro-USD: a chat of 4 input and 50 output tokens reserves 104, so the third call is refused.
        var budgeted = await broker.SeedGatewayAsync(p =>
        {
            p.MaxOutputTokens = 50;
            p.CredentialLimits = new Limits { Budgets = { new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = 300 } } };
        });
        var revoked = await broker.IssueAsync(openAi);
        await broker.Credentials.RevokeCredentialAsync(
            new RevokeCredentialRequest { Id = revoked.Credential.Id, Reason = "sdk test" }, BrokerFixture.Bearer(openAi.OwnerToken));

        var flow = await NodeScript.RunAsync("gateway.mjs", new Dictionary<string, string>
        {
            ["GATEWAY_URL"] = broker.GatewayAddress,
            ["OPENAI_KEY"] = openAiKey.Secret,
            ["ANTHROPIC_KEY"] = await broker.KeyAsync(anthropic),
            ["BUDGET_KEY"] = await broker.KeyAsync(budgeted),
            ["REVOKED_KEY"] = revoked.Secret,
        });

        output.WriteLine(flow.StandardOutput);
        Assert.True(flow.ExitCode == 0, $"The SDK flow against the gateway failed.\n{flow}");
        Assert.Contains("PASS gateway sdk flow", flow.StandardOutput, StringComparison.Ordinal);
    }
}
