using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace CredentialBroker.IntegrationTests.Telemetry;

public sealed class TelemetryConfigurationTests
{
    [Fact]
    public async Task Start_UnknownLogFormat_NamesTheSettingAndTheChoices()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Broker"] = "Host=127.0.0.1;Database=unused",
            ["Broker:Logging:Format"] = "xml",
        };
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await BrokerApp.StartAsync([], b => b.Configuration.AddInMemoryCollection(settings));
        });

        Assert.Equal("Broker:Logging:Format must be 'simple' or 'json', not 'xml'.", BrokerApp.Describe(ex));
    }
}
