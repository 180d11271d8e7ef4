using CredentialBroker.IntegrationTests.Infrastructure;
using CredentialBroker.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CredentialBroker.IntegrationTests.Delivery;

/// <summary>
/// A broker whose providers' Admin APIs are a <see cref="FakeProviderAdmin"/>: 3 deletion attempts
/// 10 s apart (doubling), a 1 s Admin API timeout, jobs only when a test runs them (or a revocation
/// signals the cleaner), and every log line captured.
/// </summary>
public sealed class DirectDeliveryFixture : BrokerFixture
{
    public FakeProviderAdmin AdminApi { get; } = new();

    public ListLoggerProvider Logs { get; } = new();

    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Broker:Delivery:MaxDeleteAttempts"] = "3",
        ["Broker:Delivery:RetryBackoff"] = "00:00:10",
        ["Broker:Delivery:AdminApiTimeout"] = "00:00:01",
        ["Broker:Delivery:CleanupInterval"] = "1.00:00:00",
        ["Broker:Delivery:ReconcileInterval"] = "1.00:00:00",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);

    public override async Task InitializeAsync()
    {
        await AdminApi.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await AdminApi.DisposeAsync();
    }

    /// <summary>A world whose purpose delivers directly: an OpenAI provider with admin key and project, or an Anthropic one with an admin key.</summary>
    public Task<World> SeedDirectAsync(string kind = "openai") =>
        SeedAsync(
            p => p.Delivery = "direct",
            p =>
            {
                p.Name = kind + "-direct-" + Guid.NewGuid().ToString("N")[..8];
                p.Kind = kind;
                p.BaseUrl = AdminApi.BaseUrl;
                p.AdminKey = kind == "anthropic" ? FakeProviderAdmin.AnthropicAdminKey : FakeProviderAdmin.OpenAiAdminKey;
                p.ProjectId = kind == "anthropic" ? string.Empty : FakeProviderAdmin.ProjectId;
            });

    /// <summary>Runs the shadow-key reconcile job once.</summary>
    public Task<int> ReconcileAsync() => Services.GetRequiredService<Server.Delivery.ShadowKeyReconciler>().ReconcileAsync(CancellationToken.None);

    /// <summary>An upstream_keys column of a credential.</summary>
    public async Task<string?> UpstreamAsync(string credentialId, string column = "state")
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT {column}::text FROM upstream_keys WHERE credential_id = '{credentialId}'", connection);
        return (string?)await command.ExecuteScalarAsync();
    }

    /// <summary>Waits (up to 15 s) until the credential's upstream key reaches a state, or attempts a count.</summary>
    public async Task WaitForAsync(string credentialId, string column, string value)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && await UpstreamAsync(credentialId, column) != value)
        {
            await Task.Delay(50);
        }

        Assert.Equal(value, await UpstreamAsync(credentialId, column));
    }
}
