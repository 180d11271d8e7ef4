using System.Security.Cryptography;
using System.Text;

namespace CredentialBroker.Server.Persistence;

/// <summary>One schema step from migrations/, with directives expanded.</summary>
/// <param name="Version">File name without extension, e.g. "0001_initial"; applied in ordinal order.</param>
/// <param name="Source">The file as committed; its checksum detects edits to applied migrations.</param>
/// <param name="Sql">What runs against the database.</param>
internal sealed record Migration(string Version, string Source, string Sql)
{
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Source.ReplaceLineEndings("\n"))));

    /// <summary>The migrations embedded in this assembly, in the order they apply.</summary>
    public static IReadOnlyList<Migration> LoadEmbedded()
    {
        var assembly = typeof(Migration).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                var source = new StreamReader(stream).ReadToEnd();
                return new Migration(Path.GetFileNameWithoutExtension(name["migrations/".Length..]), source, Expand(source));
            })
            .ToList();
    }

    /// <summary>
    /// Replaces <c>--! include quartz-schema postgres &lt;prefix&gt;</c> with the PostgreSQL schema
    /// script embedded in the Quartz assembly (statements separated by <c>--;;</c>).
    /// </summary>
    internal static string Expand(string source)
    {
        var output = new StringBuilder();
        foreach (var line in source.ReplaceLineEndings("\n").Split('\n'))
        {
            const string directive = "--! include quartz-schema postgres ";
            if (!line.StartsWith(directive, StringComparison.Ordinal))
            {
                output.Append(line).Append('\n');
                continue;
            }

            var prefix = line[directive.Length..].Trim();
            var quartz = typeof(Quartz.IJob).Assembly;
            using var stream = quartz.GetManifestResourceStream("Quartz.Impl.AdoJobStore.Schema.create_postgres.sql")
                ?? throw new InvalidOperationException("The Quartz assembly no longer embeds its PostgreSQL schema script.");
            var script = new StreamReader(stream).ReadToEnd().Replace("{0}", prefix).Replace("{1}", prefix);
            foreach (var statement in script.ReplaceLineEndings("\n").Split("\n--;;\n"))
            {
                var body = string.Join('\n', statement.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim();
                if (body.Length > 0)
                {
                    output.Append(body.TrimEnd(';')).Append(";\n");
                }
            }
        }

        return output.ToString();
    }
}
