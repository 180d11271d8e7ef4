namespace CredentialBroker.Cli.Infrastructure;

/// <summary>An operation that did not succeed for a reason other than an RPC status; exit code 1.</summary>
public sealed class OperationFailedException(string message) : Exception(message);
