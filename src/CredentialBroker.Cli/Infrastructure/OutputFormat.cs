namespace CredentialBroker.Cli.Infrastructure;

/// <summary>How results are printed.</summary>
public enum OutputFormat
{
    Table,
    Json,

    /// <summary>Comma-separated values (RFC 4180); only commands that print rows of data offer it.</summary>
    Csv,
}
