namespace CredentialBroker.UnitTests.Infrastructure;

/// <summary>Rows of the Markdown tables in a document whose first cell is a key in backticks.</summary>
internal static class MarkdownTables
{
    /// <summary>Key (without backticks) → the row's cells, trimmed.</summary>
    public static IReadOnlyList<(string Key, string[] Cells)> KeyRows(string markdown) =>
        markdown.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .Select(cells => (cells[0].Trim('`'), cells))
            .ToList();
}
