using System.Security.Cryptography;
using CredentialBroker.Server.Hosting;

namespace CredentialBroker.Server.Cluster;

/// <summary>This replica's name, one value for the replica registry and the Quartz scheduler.</summary>
internal sealed class ReplicaIdentity(string id)
{
    private static readonly object _key = typeof(ReplicaIdentity);

    public string Id { get; } = id;

    /// <summary>
    /// The configured <c>Broker:Replica:Id</c>, else a generated one; generated once per host builder so
    /// Quartz (configured before the container exists) and the registry agree. The random suffix keeps
    /// two hosts in one process (tests, dev mode) apart.
    /// </summary>
    public static ReplicaIdentity For(IHostApplicationBuilder builder)
    {
        if (builder.Properties.TryGetValue(_key, out var existing))
        {
            return (ReplicaIdentity)existing;
        }

        var configured = builder.Configuration[$"{BrokerOptions.Section}:{nameof(BrokerOptions.Replica)}:{nameof(ReplicaOptions.Id)}"];
        var identity = new ReplicaIdentity(string.IsNullOrWhiteSpace(configured)
            ? $"{Environment.MachineName}-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}"
            : configured.Trim());
        builder.Properties[_key] = identity;
        return identity;
    }
}
