using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary>One entry of a prices file; prices in USD per million tokens (2.50 means $2.50 per million).</summary>
public sealed class ModelPriceFile
{
    public string? Model { get; set; }

    public string? InputUsdPerMillion { get; set; }

    public string? CachedInputUsdPerMillion { get; set; }

    public string? OutputUsdPerMillion { get; set; }

    public int? MaxOutputTokens { get; set; }

    /// <summary>Maps to a proto price; <paramref name="what"/> locates the entry in errors.</summary>
    public ModelPrice ToProto(string what)
    {
        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new UsageException($"{what}: model is required");
        }

        what = $"{what} ({Model}):";
        if (MaxOutputTokens is not > 0)
        {
            throw new UsageException($"{YamlFile.Key(what, "max_output_tokens")} is required (the model's own output limit, > 0)");
        }

        return new ModelPrice
        {
            Model = Model.Trim(),
            InputMicroUsdPerMillion = Micros(InputUsdPerMillion, what, "input_usd_per_million"),
            CachedInputMicroUsdPerMillion = Micros(CachedInputUsdPerMillion, what, "cached_input_usd_per_million"),
            OutputMicroUsdPerMillion = Micros(OutputUsdPerMillion, what, "output_usd_per_million"),
            MaxOutputTokens = MaxOutputTokens.Value,
        };
    }

    private static long Micros(string? usd, string what, string key) => usd is null ? 0 : Usd.ParseMicros(usd, YamlFile.Key(what, key));
}
