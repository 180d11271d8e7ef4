namespace CredentialBroker.Cli.Infrastructure;

/// <summary>A mistake in how brokerctl was called; reported as one line with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
