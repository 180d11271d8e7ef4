namespace CredentialBroker.Cli.Infrastructure;

/// <summary>How results are printed.</summary>
public enum OutputFormat
{
    Table,
    Json,
}
