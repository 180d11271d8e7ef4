using CredentialBroker.Cli.Admin;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Tests.Admin;

public sealed class PricesFileTests
{
    [Fact]
    public void ToProto_Entries_ConvertDollarsPerMillionToMicros()
    {
        var prices = Parse("""
            - model: gpt-4o-mini
              input_usd_per_million: 0.15
              cached_input_usd_per_million: 0.075
              output_usd_per_million: 0.60
              max_output_tokens: 16384
            - {model: "claude-sonnet-4*", input_usd_per_million: 3, output_usd_per_million: 15, max_output_tokens: 64000}
            """);

        Assert.Equal(
        [
            new ModelPrice { Model = "gpt-4o-mini", InputMicroUsdPerMillion = 150_000, CachedInputMicroUsdPerMillion = 75_000, OutputMicroUsdPerMillion = 600_000, MaxOutputTokens = 16384 },
            new ModelPrice { Model = "claude-sonnet-4*", InputMicroUsdPerMillion = 3_000_000, OutputMicroUsdPerMillion = 15_000_000, MaxOutputTokens = 64000 },
        ], prices);
    }

    [Fact]
    public void ToProto_EmptyFile_IsEmptyTable() => Assert.Empty(Parse(string.Empty));

    [Theory]
    [InlineData("- {input_usd_per_million: 1, max_output_tokens: 10}", "prices.yaml: entry 1: model is required")]
    [InlineData("- {model: a, max_output_tokens: 10}\n- {model: b}", "prices.yaml: entry 2 (b): max_output_tokens is required")]
    [InlineData("- {model: a, output_usd_per_million: 0.0000005, max_output_tokens: 10}", "for prices.yaml: entry 1 (a): output_usd_per_million: at most 6 decimals")]
    [InlineData("- {model: a, input_usd_per_million: -2, max_output_tokens: 10}", "for prices.yaml: entry 1 (a): input_usd_per_million: must not be negative")]
    [InlineData("- {model: a, max_output_tokens: 10}\n- {model: a, max_output_tokens: 20}", "prices.yaml: model a is priced more than once")]
    [InlineData("- {model: a, max_tokens: 10}", "prices.yaml: line 1: unknown key 'max_tokens'")]
    public void ToProto_InvalidEntry_ThrowsUsageError(string yaml, string message)
    {
        var error = Assert.Throws<UsageException>(() => Parse(yaml));

        Assert.Contains(message, error.Message);
    }

    private static List<ModelPrice> Parse(string yaml) => PricesFile.ToProto(YamlFile.Parse<List<ModelPriceFile?>>(yaml, "prices.yaml"), "prices.yaml");
}
