using System.Text;

namespace CredentialBroker.Server.Governance;

/// <summary>CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes) with a name,email[,external_id] header.</summary>
internal static class OwnerDirectoryCsv
{
    public static List<(string Where, string? Name, string? Email, string? ExternalId)> Read(string content, List<(string, string)> errors)
    {
        var rows = new List<(string, string?, string?, string?)>();
        var records = Records(content.TrimStart('\uFEFF'), errors).Where(r => r.Fields.Count > 1 || r.Fields[0].Trim().Length > 0).ToList();
        if (errors.Count > 0 || records.Count == 0)
        {
            return rows;
        }

        var (headerLine, header) = records[0];
        var columns = header.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var expected = string.Join(',', OwnerDirectoryParser.Columns);
        foreach (var column in columns.Where(c => !OwnerDirectoryParser.Columns.Contains(c)).Distinct())
        {
            errors.Add(($"line {headerLine}", $"unknown column '{column}'; the header names the columns {expected} (external_id optional)"));
        }

        foreach (var column in columns.GroupBy(c => c).Where(g => g.Count() > 1))
        {
            errors.Add(($"line {headerLine}", $"column '{column.Key}' appears twice in the header"));
        }

        foreach (var required in new[] { "name", "email" }.Where(r => !columns.Contains(r)))
        {
            errors.Add(($"line {headerLine}", $"the header has no '{required}' column (found: {string.Join(',', columns)}); expected {expected} (external_id optional)"));
        }

        if (errors.Count > 0)
        {
            return rows;
        }

        int name = columns.IndexOf("name"), email = columns.IndexOf("email"), externalId = columns.IndexOf("external_id");
        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Count != columns.Count)
            {
                errors.Add(($"line {line}", $"has {fields.Count} fields; the header has {columns.Count} ({string.Join(',', columns)})"));
                continue;
            }

            rows.Add(($"line {line}", fields[name].Trim(), fields[email].Trim(), externalId < 0 ? null : fields[externalId].Trim()));
        }

        return rows;
    }

    /// <summary>Records with the line each starts on.</summary>
    private static List<(int Line, List<string> Fields)> Records(string content, List<(string, string)> errors)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, start = 1, quoteLine = 0;
        var quoted = false;
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < content.Length && content[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
                quoteLine = line;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < content.Length && content[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                records.Add((start, fields));
                fields = [];
                field.Clear();
                start = ++line;
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            errors.Add(($"line {quoteLine}", "a quoted field is never closed (missing '\"')"));
        }

        fields.Add(field.ToString());
        records.Add((start, fields));
        return records;
    }
}
