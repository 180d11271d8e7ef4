using System.Text.Json;
using System.Text.Json.Serialization;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>What <c>brokerctl login</c> saved: the broker address and access token.</summary>
public sealed record CliConfig
{
    public const string FileName = "config.json";

    private static readonly JsonSerializerOptions _json = new() { WriteIndented = true };

    [JsonPropertyName("addr")]
    public string? Addr { get; init; }

    [JsonPropertyName("token")]
    public string? Token { get; init; }

    /// <summary>Full path of the config file for <paramref name="environment"/>.</summary>
    public static string PathFor(CliEnvironment environment) => Path.Combine(environment.ResolveConfigDirectory(), FileName);

    /// <summary>The saved config, or null when there is none.</summary>
    public static CliConfig? Load(CliEnvironment environment)
    {
        var path = PathFor(environment);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(path));
        }
        catch (JsonException exception)
        {
            throw new UsageException($"invalid config file {path}: {exception.Message} (run 'brokerctl login' again or delete it)");
        }
    }

    /// <summary>
    /// Writes the config with mode 0600 (its directory 0700 when created). The file is created under a temporary
    /// name with its final mode and then renamed over the old one, so it is never readable by others.
    /// </summary>
    public void Save(CliEnvironment environment)
    {
        var path = PathFor(environment);
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temporary = Path.Combine(directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, this, _json);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Deletes the config file; false when there was none.</summary>
    public static bool Delete(CliEnvironment environment)
    {
        var path = PathFor(environment);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }
}
