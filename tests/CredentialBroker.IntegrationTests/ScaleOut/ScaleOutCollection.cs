using CredentialBroker.IntegrationTests.Infrastructure;

namespace CredentialBroker.IntegrationTests.ScaleOut;

/// <summary>The multi-replica test classes share one set of three server processes, one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<ThreeReplicaFixture>
{
    public const string Name = "Three replicas";
}
