using System.Diagnostics;
using CredentialBroker.IntegrationTests.Infrastructure;

namespace CredentialBroker.IntegrationTests.CrossLanguage;

/// <summary>
/// A client in another language completes the basic flow with nothing but <c>protos/</c>: the
/// Node.js script in <c>tests/node-client</c> (set-up as admin, issue, renew, revoke, mass
/// revocation as security) against a real broker over plaintext HTTP/2.
/// </summary>
public sealed class NodeClientTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task NodeClient_CompletesFlowUsingOnlyProtos_Succeeds()
    {
        var clientDirectory = Path.Combine(RepositoryRoot(), "tests", "node-client");
        var node = FindOnPath("node");
        Assert.True(node is not null,
            "Node.js ('node') is not on PATH. This test proves a Node.js client can use protos/; install Node.js 18 or later (with npm) and run it again.");

        if (!Directory.Exists(Path.Combine(clientDirectory, "node_modules")))
        {
            var npm = FindOnPath("npm");
            Assert.True(npm is not null, "'npm' is not on PATH; it is needed to install tests/node-client's dependencies (npm ci).");
            var install = await RunAsync(npm!, ["ci", "--no-audit", "--no-fund"], clientDirectory, new Dictionary<string, string>());
            Assert.True(install.ExitCode == 0, $"npm ci in {clientDirectory} failed.\n{install}");
        }

        var flow = await RunAsync(node!, ["flow.mjs"], clientDirectory, new Dictionary<string, string>
        {
            ["BROKER_ADDR"] = new Uri(broker.GrpcAddress).Authority,
            ["BROKER_ADMIN_TOKEN"] = BrokerFixture.BootstrapToken,
        });

        Assert.True(flow.ExitCode == 0, $"The Node.js client flow failed.\n{flow}");
        Assert.Contains("PASS node client flow", flow.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task<ProcessResult> RunAsync(string fileName, string[] arguments, string workingDirectory, Dictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
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

        var commandLine = $"{fileName} {string.Join(' ', arguments)} (in {workingDirectory})";
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

    private sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() =>
            $"""
            command: {CommandLine}
            exit code: {ExitCode}
            --- stdout ---
            {StandardOutput.TrimEnd()}
            --- stderr ---
            {StandardError.TrimEnd()}
            """;
    }
}
