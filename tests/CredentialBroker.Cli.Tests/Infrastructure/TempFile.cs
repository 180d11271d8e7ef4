namespace CredentialBroker.Cli.Tests.Infrastructure;

/// <summary>A file with the given content in the temp directory, deleted on dispose.</summary>
public sealed class TempFile : IDisposable
{
    public TempFile(string content, string extension = ".yaml")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"brokerctl-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(Path, content);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
