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

    /// <summary>
    /// Directory of brokerctl's config file; null means <c>$XDG_CONFIG_HOME/brokerctl</c>,
    /// or <c>~/.config/brokerctl</c> when XDG_CONFIG_HOME is unset.
    /// </summary>
    public string? ConfigDirectory { get; init; }

    /// <summary>Delay between revocation progress polls.</summary>
    public TimeSpan RevocationPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The directory of the config file, by <see cref="ConfigDirectory"/> or XDG rules.</summary>
    public string ResolveConfigDirectory()
    {
        if (!string.IsNullOrWhiteSpace(ConfigDirectory))
        {
            return ConfigDirectory;
        }

        var xdg = GetVariable("XDG_CONFIG_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "brokerctl");
        }

        var home = GetVariable("HOME");
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return Path.Combine(home, ".config", "brokerctl");
    }
}
