namespace CredentialBroker.UnitTests.Infrastructure;

/// <summary>Files of the repository the tests run from (docs/, deploy/, appsettings.json).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CredentialBroker.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("CredentialBroker.sln not found above " + AppContext.BaseDirectory);
    }
}
