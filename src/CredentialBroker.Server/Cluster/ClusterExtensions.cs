namespace CredentialBroker.Server.Cluster;

internal static class ClusterExtensions
{
    /// <summary>The replica's identity and the registry that counts live replicas for shared rate limits.</summary>
    public static IHostApplicationBuilder AddReplicaRegistry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(ReplicaIdentity.For(builder));
        builder.Services.AddSingleton<LiveReplicas>();
        builder.Services.AddSingleton<ReplicaRegistry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReplicaRegistry>());
        return builder;
    }
}
