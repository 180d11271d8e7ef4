using System.Text.Json;
using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Hosting;
using CredentialBroker.UnitTests.Infrastructure;

namespace CredentialBroker.UnitTests.Hosting;

public sealed class ConfigurationReferenceTests
{
    private static readonly IReadOnlyList<(string Key, string[] Cells)> _documented =
        MarkdownTables.KeyRows(File.ReadAllText(Repository.PathOf("docs", "CONFIGURATION.md")));

    [Fact]
    public void All_EveryKey_IsDocumentedWithItsEnvironmentVariableAndDefault()
    {
        var problems = new List<string>();
        foreach (var key in ConfigurationReference.All)
        {
            var rows = _documented.Where(r => r.Key == key.Path).ToList();
            if (rows.Count != 1)
            {
                problems.Add($"{key.Path}: {rows.Count} rows in docs/CONFIGURATION.md (expected 1: | `{key.Path}` | `{key.EnvironmentVariable}` | {key.Type} | {key.DefaultText} | ... |)");
                continue;
            }

            var cells = rows[0].Cells;
            if (cells.Length != 5 || cells[1] != $"`{key.EnvironmentVariable}`" || cells[3] != key.DefaultText || cells[4].Length == 0)
            {
                problems.Add($"{key.Path}: documented as '{string.Join(" | ", cells)}', expected environment variable `{key.EnvironmentVariable}`, default {key.DefaultText} and a meaning");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Docs_EveryDocumentedKey_IsReadByTheBroker()
    {
        var unknown = _documented.Select(r => r.Key).Where(k => ConfigurationReference.All.All(c => c.Path != k)).ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void All_OptionsProperties_AllListedWithTheirXmlSummary()
    {
        // A property added to an options class appears here by reflection; without a <summary> it fails.
        Assert.Contains(ConfigurationReference.All, k => k.Path == "Broker:Gateway:" + nameof(GatewayOptions.BudgetTimeZone) && k.Default == "UTC");
        Assert.Contains(ConfigurationReference.All, k => k.Path == "Broker:JwtIssuers:N:" + nameof(JwtIssuerOptions.SubjectClaim) && k.Default == "sub");
        Assert.Contains(ConfigurationReference.All, k => k.Path == "Broker:PreviousMasterKeys:N" && k.Type == "string");
        Assert.Equal(
            // BrokerOptions' nested sections (Gateway, JwtIssuers, Telemetry, Logging, Vault, Delivery) count by their own properties.
            typeof(BrokerOptions).GetProperties().Length - 6 + typeof(GatewayOptions).GetProperties().Length + typeof(JwtIssuerOptions).GetProperties().Length
                + typeof(Server.Telemetry.TelemetryOptions).GetProperties().Length + typeof(Server.Telemetry.BrokerLoggingOptions).GetProperties().Length
                + typeof(Server.Providers.Vault.VaultOptions).GetProperties().Length + typeof(Server.Delivery.DeliveryOptions).GetProperties().Length,
            ConfigurationReference.All.Count(k => k.Path.StartsWith("Broker:", StringComparison.Ordinal) && k.Path != "Broker:DatabaseStartupTimeout"));
        Assert.Empty(ConfigurationReference.All.Where(k => string.IsNullOrWhiteSpace(k.Description)).Select(k => k.Path));
    }

    [Fact]
    public void All_KeysAreUnique()
    {
        Assert.Empty(ConfigurationReference.All.GroupBy(k => k.Path, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Theory]
    [InlineData("Broker__Gateway__BudgetTimeZone", "Broker:Gateway:BudgetTimeZone")]
    [InlineData("broker:gateway:budgettimezone", "Broker:Gateway:BudgetTimeZone")]
    [InlineData("Broker__JwtIssuers__0__Issuer", "Broker:JwtIssuers:N:Issuer")]
    [InlineData("Broker__PreviousMasterKeyFiles__12", "Broker:PreviousMasterKeyFiles:N")]
    [InlineData("Kestrel__Endpoints__Tls__Certificate__Path", "Kestrel:Endpoints:<Name>:Certificate:Path")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore", "Logging:LogLevel:<Category>")]
    public void Find_ConcreteName_ReturnsItsKey(string name, string expected)
    {
        Assert.Equal(expected, ConfigurationReference.Find(name)?.Path);
    }

    [Theory]
    [InlineData("Broker__Gateway__BudgetTimezones")]
    [InlineData("Broker__JwtIssuers__x__Issuer")]
    [InlineData("Broker__MasterKeyPath")]
    [InlineData("ConnectionStrings__Default")]
    public void Find_UnknownName_ReturnsNull(string name)
    {
        Assert.Null(ConfigurationReference.Find(name));
    }

    [Fact]
    public void AppSettings_EveryKey_IsKnownAndFixedDefaultsMatch()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("src", "CredentialBroker.Server", "appsettings.json")));
        var leaves = new List<(string Key, string Value)>();
        Flatten(json.RootElement, string.Empty, leaves);

        Assert.NotEmpty(leaves);
        foreach (var (key, value) in leaves)
        {
            var known = ConfigurationReference.Find(key);
            Assert.True(known is not null, $"appsettings.json sets {key}, which the broker does not read (or ConfigurationReference does not list)");
            if (known.Path == key && !key.StartsWith("Broker:", StringComparison.Ordinal))
            {
                Assert.Equal(value, known.Default);
            }
        }
    }

    private static void Flatten(JsonElement element, string prefix, List<(string, string)> leaves)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Flatten(property.Value, prefix.Length == 0 ? property.Name : prefix + ":" + property.Name, leaves);
            }
        }
        else
        {
            leaves.Add((prefix, element.ToString()));
        }
    }
}
