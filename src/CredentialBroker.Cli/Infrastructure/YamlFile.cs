using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Reads YAML or JSON files with snake_case keys; unknown keys and unreadable files are usage errors.</summary>
public static partial class YamlFile
{
    private static readonly IDeserializer _deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    /// <summary>Reads <paramref name="path"/> as a <typeparamref name="T"/>; null when the file is empty.</summary>
    public static T? Read<T>(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }

        return Parse<T>(text, path);
    }

    /// <summary>
    /// Where a key is, for errors: <c>Key("limits.yaml:", "budgets[0]")</c> is "limits.yaml: budgets[0]",
    /// <c>Key("p.yaml: gateway", "unpriced")</c> is "p.yaml: gateway.unpriced".
    /// </summary>
    public static string Key(string what, string key) => what.EndsWith(':') ? $"{what} {key}" : $"{what}.{key}";

    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> names it in errors.</summary>
    public static T? Parse<T>(string text, string source)
    {
        try
        {
            // JSON is valid YAML flow syntax, so one parser reads both.
            return _deserializer.Deserialize<T>(text);
        }
        catch (YamlException e)
        {
            // The inner exception says what was wrong ("The input string 'lots' was not in a correct format"), the outer where.
            var where = e.Start.Line > 0 ? $"line {e.Start.Line}: " : string.Empty;
            var message = UnknownProperty().Replace((e.InnerException ?? e).Message, "unknown key '$1'");
            throw new UsageException($"{source}: {where}{message}");
        }
    }

    [GeneratedRegex(@"^Property '([^']*)' not found on type '[^']*'\.?$")]
    private static partial Regex UnknownProperty();
}
