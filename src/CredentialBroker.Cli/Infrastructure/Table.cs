namespace CredentialBroker.Cli.Infrastructure;

/// <summary>A plain-text table with left-aligned, space-separated columns.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Adds a row; missing cells print empty.</summary>
    public Table Add(params string?[] cells)
    {
        _rows.Add(cells.Select(c => c ?? string.Empty).ToArray());
        return this;
    }

    /// <summary>Writes the header and rows.</summary>
    public void Write(TextWriter writer)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        WriteRow(writer, headers, widths);
        foreach (var row in _rows)
        {
            WriteRow(writer, row, widths);
        }
    }

    private static void WriteRow(TextWriter writer, string[] cells, int[] widths)
    {
        var parts = widths.Select((w, i) => (i < cells.Length ? cells[i] : string.Empty).PadRight(w));
        writer.WriteLine(string.Join("  ", parts).TrimEnd());
    }
}
