namespace CredentialBroker.Benchmarks;

/// <summary>A closed-loop HTTP/1.1 load generator: each connection sends its next request when the previous response ends.</summary>
internal interface IHttpLoadGenerator
{
    /// <summary>How the report names it, e.g. "wrk 4.1.0 (2 threads)".</summary>
    string Name { get; }

    /// <summary>Sends <paramref name="target"/> over <paramref name="connections"/> connections for <paramref name="duration"/>.</summary>
    Task<HttpLegResult> RunAsync(HttpLoadTarget target, int connections, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// The same load spread evenly over <paramref name="targets"/> (connection i sends to target i mod n), for
    /// <paramref name="duration"/>; the result is of all of them together.
    /// </summary>
    Task<HttpLegResult> RunSpreadAsync(IReadOnlyList<HttpLoadTarget> targets, int connections, TimeSpan duration, CancellationToken cancellationToken);
}
