using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace CredentialBroker.Server.Hosting;

/// <summary>
/// The <c>&lt;summary&gt;</c> texts of the XML documentation file built next to the assembly
/// (GenerateDocumentationFile); empty when the file is not there.
/// </summary>
internal sealed class XmlDocs(IReadOnlyDictionary<string, string> summaries)
{
    public static XmlDocs Load(Assembly assembly)
    {
        var location = assembly.Location;
        var file = string.IsNullOrEmpty(location) ? null : Path.ChangeExtension(location, ".xml");
        if (file is null || !File.Exists(file))
        {
            return new XmlDocs(new Dictionary<string, string>());
        }

        var summaries = XDocument.Load(file).Descendants("member")
            .Where(m => m.Attribute("name") is not null && m.Element("summary") is not null)
            .ToDictionary(m => m.Attribute("name")!.Value, m => Text(m.Element("summary")!), StringComparer.Ordinal);
        return new XmlDocs(summaries);
    }

    /// <summary>The summary of a property, in one line; empty when it has none.</summary>
    public string Summary(PropertyInfo property) =>
        summaries.GetValueOrDefault($"P:{property.DeclaringType!.FullName}.{property.Name}", string.Empty);

    private static string Text(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            text.Append(node switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "see" or "seealso" } see => (see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? see.Value).Split('.', ':')[^1],
                XElement e => Text(e),
                _ => string.Empty,
            });
        }

        return string.Join(' ', text.ToString().Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }
}
