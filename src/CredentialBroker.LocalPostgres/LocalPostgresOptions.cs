namespace CredentialBroker.LocalPostgres;

/// <summary>How a throwaway PostgreSQL cluster is started.</summary>
public sealed record LocalPostgresOptions
{
    /// <summary>
    /// Keep fsync and synchronous commit on. Benchmarks need durable commits; tests and dev mode
    /// trade durability for speed because their data is thrown away.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>Name of the database created for the caller.</summary>
    public string Database { get; init; } = "broker";

    /// <summary>Extra <c>-c name=value</c> server settings.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Receives progress lines ("initdb ...", "started on port ...").</summary>
    public Action<string>? Log { get; init; }
}
