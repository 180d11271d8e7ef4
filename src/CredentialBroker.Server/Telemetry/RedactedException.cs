namespace CredentialBroker.Server.Telemetry;

/// <summary>Stands in for a logged exception whose message or stack trace held a secret: same text, redacted.</summary>
internal sealed class RedactedException(Exception original, string message, string text) : Exception(message)
{
    /// <summary>The exception's type, for sinks that print it separately.</summary>
    public string OriginalType { get; } = original.GetType().FullName ?? original.GetType().Name;

    public override string ToString() => text;
}
