namespace CredentialBroker.Server.Telemetry;

/// <summary>Stands in for a logged exception whose message or stack trace held a secret: the same text (type, message, stack), redacted.</summary>
internal sealed class RedactedException(string message, string text) : Exception(message)
{
    public override string ToString() => text;
}
