using System.Text.Json;

namespace CredentialBroker.Server.Governance;

/// <summary>A JSON array of {"name", "email", "external_id"} objects.</summary>
internal static class OwnerDirectoryJson
{
    public static List<(string Where, string? Name, string? Email, string? ExternalId)> Read(string content, List<(string, string)> errors)
    {
        var rows = new List<(string, string?, string?, string?)>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content);
        }
        catch (JsonException ex)
        {
            errors.Add(("content", $"is not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}): expected an array of {{\"name\", \"email\", \"external_id\"}} objects"));
            return rows;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                errors.Add(("content", $"is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}; expected an array of {{\"name\", \"email\", \"external_id\"}} objects"));
                return rows;
            }

            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var where = $"[{index++}]";
                if (element.ValueKind != JsonValueKind.Object)
                {
                    errors.Add((where, "is not an object with name, email and external_id"));
                    continue;
                }

                var ok = true;
                foreach (var property in element.EnumerateObject())
                {
                    if (!OwnerDirectoryParser.Columns.Contains(property.Name))
                    {
                        errors.Add((where, $"unknown property '{property.Name}'; expected name, email, external_id"));
                        ok = false;
                    }
                    else if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        errors.Add(($"{where} {property.Name}", "must be a string"));
                        ok = false;
                    }
                }

                if (ok)
                {
                    rows.Add((where, Text(element, "name"), Text(element, "email"), Text(element, "external_id")));
                }
            }
        }

        return rows;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
}
