using CredentialBroker.IntegrationTests.Infrastructure;

namespace CredentialBroker.IntegrationTests.Webhooks;

/// <summary>A broker with two webhooks to one local receiver: signed JSON for owner events, Slack messages for deactivations.</summary>
public sealed class WebhookFixture : BrokerFixture
{
    public const string SigningSecret = "webhook-test-signing-secret";

    private readonly string _secretFile = Path.Combine(Path.GetTempPath(), $"cb-webhook-secret-{Guid.NewGuid():N}");

    public WebhookReceiver Receiver { get; private set; } = null!;

    public IDictionary<string, string?> WebhookSettings => new Dictionary<string, string?>
    {
        ["Broker:Webhooks:0:Name"] = "security-json",
        ["Broker:Webhooks:0:Url"] = Receiver.BaseUrl + "/json",
        ["Broker:Webhooks:0:Events:0"] = "owner.*",
        ["Broker:Webhooks:0:SigningSecretFile"] = _secretFile,
        ["Broker:Webhooks:0:MaxAttempts"] = "3",
        ["Broker:Webhooks:0:InitialBackoff"] = "00:00:00.050",
        ["Broker:Webhooks:0:MaxBackoff"] = "00:00:00.200",
        ["Broker:Webhooks:1:Name"] = "security-slack",
        ["Broker:Webhooks:1:Url"] = Receiver.BaseUrl + "/slack",
        ["Broker:Webhooks:1:Events:0"] = "owner.deactivated",
        ["Broker:Webhooks:1:Format"] = "slack",
    };

    protected override IDictionary<string, string?> Configuration => WebhookSettings;

    public override async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_secretFile, SigningSecret + "\n");
        Receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
        File.Delete(_secretFile);
    }
}
