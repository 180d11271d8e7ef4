namespace CredentialBroker.Server.Governance;

/// <summary>Format of an owner directory export.</summary>
public enum DirectoryFormat
{
    /// <summary>By file extension (.csv, .json), else by content (JSON starts with "[" or "{").</summary>
    Auto,

    /// <summary>CSV with a header row: name,email and optionally external_id.</summary>
    Csv,

    /// <summary>A JSON array of objects {"name", "email", "external_id"}.</summary>
    Json,
}
