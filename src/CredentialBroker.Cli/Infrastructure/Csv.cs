namespace CredentialBroker.Cli.Infrastructure;

/// <summary>RFC 4180 CSV: a header row, then rows; fields with a comma, quote or line break are quoted.</summary>
public sealed class Csv(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public Csv Add(params string?[] cells)
    {
        _rows.Add(cells.Select(c => c ?? string.Empty).ToArray());
        return this;
    }

    public void Write(TextWriter writer)
    {
        writer.Write(Line(headers));
        foreach (var row in _rows)
        {
            writer.Write(Line(row));
        }
    }

    private static string Line(IEnumerable<string> cells) => string.Join(',', cells.Select(Quote)) + "\r\n";

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
