using System.Text.RegularExpressions;
using CredentialBroker.Server.Hosting;
using CredentialBroker.UnitTests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace CredentialBroker.UnitTests.Deploy;

/// <summary>Reads deploy/: YAML documents, Kubernetes objects, and the configuration names they set.</summary>
internal static partial class DeployFiles
{
    public static string Directory { get; } = Repository.PathOf("deploy");

    public static IEnumerable<string> YamlFiles() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    public static IReadOnlyList<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(file));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    /// <summary>Every Kubernetes object under deploy/kubernetes (secret.example.yaml and kustomization.yaml included).</summary>
    public static IReadOnlyList<YamlMappingNode> KubernetesObjects() =>
        YamlFiles().Where(f => f.Contains(Path.DirectorySeparatorChar + "kubernetes" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .SelectMany(Documents).Where(d => d.Children.ContainsKey("kind")).ToList();

    /// <summary>A child of a mapping, following YAML merge keys (<c>&lt;&lt;: *anchor</c>) as Compose does.</summary>
    public static YamlNode? Get(YamlNode? node, string key)
    {
        if (node is not YamlMappingNode mapping)
        {
            return null;
        }

        if (mapping.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return value;
        }

        return mapping.Children.TryGetValue(new YamlScalarNode("<<"), out var merged) ? Get(merged, key) : null;
    }

    public static YamlNode? At(YamlNode? node, params string[] keys) => keys.Aggregate(node, Get);

    public static string? Scalar(YamlNode? node, params string[] keys) => (At(node, keys) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Sequence(YamlNode? node, params string[] keys) =>
        At(node, keys) is YamlSequenceNode s ? s.Children : [];

    /// <summary>Keys of a mapping, merge keys followed.</summary>
    public static IEnumerable<string> Keys(YamlNode? node) => node is YamlMappingNode m
        ? m.Children.SelectMany(c => ((YamlScalarNode)c.Key).Value == "<<" ? Keys(c.Value) : [((YamlScalarNode)c.Key).Value!])
        : [];

    /// <summary>Every <c>Broker__...</c>, <c>ConnectionStrings__...</c>, <c>Kestrel__...</c> or <c>Logging__...</c> name in a text.</summary>
    public static IEnumerable<string> ConfigurationNamesIn(string text) =>
        ConfigurationName().Matches(text).Select(m => m.Value.TrimEnd('.'));

    /// <summary>The names among <paramref name="names"/> that look like configuration keys but name none the broker reads.</summary>
    public static IReadOnlyList<string> Unknown(IEnumerable<string> names) =>
        names.Where(IsConfigurationName).Where(n => ConfigurationReference.Find(n) is null).Distinct().Order(StringComparer.Ordinal).ToList();

    public static bool IsConfigurationName(string name) => ConfigurationName().IsMatch(name) && ConfigurationName().Match(name).Length == name.Length;

    [GeneratedRegex(@"\b(Broker|ConnectionStrings|Kestrel|Logging)__[A-Za-z0-9_.]+")]
    private static partial Regex ConfigurationName();
}
