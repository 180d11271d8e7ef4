using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary>
/// A provider's price table (YAML or JSON): a list of <see cref="ModelPriceFile"/> entries with model,
/// input_usd_per_million, cached_input_usd_per_million, output_usd_per_million and max_output_tokens.
/// </summary>
public static class PricesFile
{
    /// <summary>Reads <paramref name="path"/>; an empty file is an empty table.</summary>
    public static List<ModelPrice> Load(string path) => ToProto(YamlFile.Read<List<ModelPriceFile>>(path), path);

    /// <summary>Maps parsed entries to proto prices; <paramref name="source"/> names the file in errors.</summary>
    public static List<ModelPrice> ToProto(IReadOnlyList<ModelPriceFile?>? entries, string source)
    {
        var prices = new List<ModelPrice>();
        for (var i = 0; i < (entries?.Count ?? 0); i++)
        {
            var what = $"{source}: entry {i + 1}";
            var entry = entries![i] ?? throw new UsageException($"{what}: empty entry");
            prices.Add(entry.ToProto(what));
        }

        var duplicate = prices.GroupBy(p => p.Model, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? prices : throw new UsageException($"{source}: model {duplicate.Key} is priced more than once");
    }
}
