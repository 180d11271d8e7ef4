using System.Diagnostics;

namespace CredentialBroker.IntegrationTests.CrossLanguage;

/// <summary>
/// Runs a script of <c>tests/node-client</c> with Node.js, installing its dependencies (<c>npm ci</c>)
/// first when <c>node_modules/</c> lacks a dependency of package.json. Fails the test (it does not skip) when Node.js is not on PATH.
/// </summary>
internal static class NodeScript
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(120);

    // Test classes run in parallel; two concurrent 'npm ci' runs in one folder corrupt node_modules.
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string ClientDirectory { get; } = Path.Combine(RepositoryRoot(), "tests", "node-client");

    /// <summary>True when every dependency named in package.json has a folder in node_modules (a checkout that gained one needs 'npm ci' again).</summary>
    private static bool DependenciesInstalled()
    {
        using var package = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(ClientDirectory, "package.json")));
        return package.RootElement.TryGetProperty("dependencies", out var dependencies)
            && dependencies.EnumerateObject().All(d => Directory.Exists(Path.Combine(ClientDirectory, "node_modules", d.Name)));
    }

    /// <summary>Runs <c>node <paramref name="script"/></c> in <see cref="ClientDirectory"/> with extra environment variables.</summary>
    public static async Task<ProcessResult> RunAsync(string script, IDictionary<string, string> environment)
    {
        var node = FindOnPath("node");
        Assert.True(node is not null,
            "Node.js ('node') is not on PATH. The cross-language tests run tests/node-client with it; install Node.js 18 or later (with npm) and run them again.");
        await EnsureInstalledAsync();
        return await RunProcessAsync(node!, [script], environment);
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (DependenciesInstalled())
            {
                return;
            }

            var npm = FindOnPath("npm");
            Assert.True(npm is not null, "'npm' is not on PATH; it is needed to install tests/node-client's dependencies (npm ci).");
            var install = await RunProcessAsync(npm!, ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>());
            Assert.True(install.ExitCode == 0, $"npm ci in {ClientDirectory} failed.\n{install}");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<ProcessResult> RunProcessAsync(string fileName, string[] arguments, IDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = ClientDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var commandLine = $"{fileName} {string.Join(' ', arguments)} (in {ClientDirectory})";
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {commandLine}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProcessTimeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var result = new ProcessResult(commandLine, process.ExitCode, await standardOutput, await standardError);
        Assert.False(timedOut, $"Timed out after {ProcessTimeout.TotalSeconds:0} s.\n{result}");
        return result;
    }

    private static string? FindOnPath(string command)
    {
        var names = OperatingSystem.IsWindows() ? new[] { command + ".exe", command + ".cmd" } : new[] { command };
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return directories
            .SelectMany(directory => names.Select(name => Path.Combine(directory, name)))
            .FirstOrDefault(File.Exists);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CredentialBroker.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No directory containing CredentialBroker.sln above {AppContext.BaseDirectory}.");
    }
}
