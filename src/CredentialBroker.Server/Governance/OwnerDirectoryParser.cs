using System.Text;
using System.Text.RegularExpressions;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Reads an owner directory export (CSV or JSON) and checks all of it: a file with any error is
/// rejected whole, with every problem named by line (CSV) or entry (JSON) and field, so a broken
/// export can never deactivate owners by omission.
/// </summary>
internal static partial class OwnerDirectoryParser
{
    /// <summary>Largest export accepted (UTF-8 bytes).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private const int MaxErrors = 20;
    private static readonly string[] _columns = ["name", "email", "external_id"];

    public static OwnerDirectory Parse(string? content, DirectoryFormat format)
    {
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(content))
        {
            return Rejected("content", "is empty; a directory export must list at least one owner");
        }

        if (Encoding.UTF8.GetByteCount(content) > MaxBytes)
        {
            return Rejected("content", $"is larger than {MaxBytes / (1024 * 1024)} MiB");
        }

        if (format == DirectoryFormat.Auto)
        {
            format = content.TrimStart().TrimStart('\uFEFF') is ['[' or '{', ..] ? DirectoryFormat.Json : DirectoryFormat.Csv;
        }

        var rows = format == DirectoryFormat.Json ? OwnerDirectoryJson.Read(content, errors) : OwnerDirectoryCsv.Read(content, errors);
        var entries = new List<OwnerDirectoryEntry>();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var emails = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var externalIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (where, name, email, externalId) in rows)
        {
            var ok = true;
            if (string.IsNullOrEmpty(name) || name.Length > 128 || !NamePattern().IsMatch(name))
            {
                errors.Add((where + " name", $"'{Clip(name)}' is not an owner name (1-128 letters, digits, '.', '_', '-', starting with a letter or digit)"));
                ok = false;
            }
            else if (!names.TryAdd(name, where))
            {
                errors.Add((where + " name", $"'{name}' is listed twice (also {names[name]})"));
                ok = false;
            }

            if (string.IsNullOrEmpty(email) || email.Length > 254 || !EmailPattern().IsMatch(email))
            {
                errors.Add((where + " email", $"'{Clip(email)}' is not an email address"));
                ok = false;
            }
            else if (!emails.TryAdd(email, where))
            {
                errors.Add((where + " email", $"'{email}' is listed twice (also {emails[email]})"));
                ok = false;
            }

            if (externalId is { Length: > 256 })
            {
                errors.Add((where + " external_id", "is longer than 256 characters"));
                ok = false;
            }
            else if (!string.IsNullOrEmpty(externalId) && !externalIds.TryAdd(externalId, where))
            {
                errors.Add((where + " external_id", $"'{Clip(externalId)}' is listed twice (also {externalIds[externalId]})"));
                ok = false;
            }

            if (ok)
            {
                entries.Add(new OwnerDirectoryEntry(name!, email!, string.IsNullOrEmpty(externalId) ? null : externalId));
            }
        }

        if (errors.Count == 0 && entries.Count == 0)
        {
            errors.Add(("content", "lists no owners; an export without owners would offboard everyone, so it is refused"));
        }

        return errors.Count == 0
            ? new OwnerDirectory(entries, [])
            : new OwnerDirectory([], errors.Count > MaxErrors ? [.. errors.Take(MaxErrors), ("content", $"and {errors.Count - MaxErrors} more errors")] : errors);
    }

    private static OwnerDirectory Rejected(string field, string description) => new([], [(field, description)]);

    private static string Clip(string? value) => value is null ? string.Empty : value.Length <= 40 ? value : value[..40] + "...";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+$")]
    private static partial Regex EmailPattern();

    /// <summary>The recognised columns / properties.</summary>
    internal static IReadOnlyList<string> Columns => _columns;
}
