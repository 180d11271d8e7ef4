namespace CredentialBroker.Cli.Infrastructure;

/// <summary>
/// What brokerctl takes from its surroundings: environment variables, the terminal and the clock.
/// Tests replace it so they neither touch process state nor need a terminal.
/// </summary>
public sealed record CliEnvironment
{
    /// <summary>Reads an environment variable.</summary>
    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Where confirmation answers are read from.</summary>
    public TextReader Input { get; init; } = Console.In;

    /// <summary>True when a person can answer a prompt (stdin is a terminal).</summary>
    public bool IsInteractive { get; init; } = !Console.IsInputRedirected;

    /// <summary>Clock for relative times and polling.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long <c>revoke</c> waits for background marking to finish.</summary>
    public TimeSpan RevocationWaitLimit { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Delay between revocation progress polls.</summary>
    public TimeSpan RevocationPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
