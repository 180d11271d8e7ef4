namespace CredentialBroker.Benchmarks;

/// <summary>Which measurements a run makes.</summary>
internal enum BenchmarkScenario
{
    /// <summary>Everything, the gateway also through three server processes.</summary>
    All,

    /// <summary>raw-insert, grpc-noop and issue (and the SQL profile when asked for).</summary>
    Issue,

    /// <summary>Direct to the simulated upstream versus through the gateway.</summary>
    Gateway,

    /// <summary>GetUsage over a month of usage events (roll-ups) versus the raw scan.</summary>
    Usage,

    /// <summary>RevokeMatching over many seeded credentials: enforcement, marking, issuance meanwhile.</summary>
    Revocation,

    /// <summary>An expiry storm: many credentials expiring within one minute, swept by the expiry job; issuance meanwhile.</summary>
    Expiry,

    /// <summary>RevokeMatching with two server processes, the marking one killed (kill -9) and restarted midway.</summary>
    RevocationCrash,
}
