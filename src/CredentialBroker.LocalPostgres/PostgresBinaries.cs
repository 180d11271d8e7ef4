namespace CredentialBroker.LocalPostgres;

/// <summary>Finds the directory holding <c>initdb</c> and <c>pg_ctl</c>.</summary>
public static class PostgresBinaries
{
    /// <summary>
    /// The newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (Debian puts the server binaries
    /// there, off PATH), else the PATH entry that has both programs; null when neither has them.
    /// </summary>
    public static string? Find()
    {
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => HasServerBinaries(d.Dir))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
            {
                return newest.Dir;
            }
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(HasServerBinaries);
    }

    private static bool HasServerBinaries(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));
}
