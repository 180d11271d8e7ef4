namespace CredentialBroker.IntegrationTests.CrossLanguage;

/// <summary>How a child process ended, printable as a test failure message.</summary>
internal sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
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
