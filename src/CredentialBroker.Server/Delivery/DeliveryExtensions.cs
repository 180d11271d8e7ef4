namespace CredentialBroker.Server.Delivery;

internal static class DeliveryExtensions
{
    /// <summary>Direct delivery: the Admin API client, issuance, upstream cleanup (woken by revocations) and reconciliation.</summary>
    public static IServiceCollection AddDirectDelivery(this IServiceCollection services)
    {
        services.AddHttpClient(UpstreamAdminClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<UpstreamAdminClient>();
        services.AddSingleton<DirectDelivery>();
        services.AddSingleton<UpstreamKeyCleaner>();
        services.AddHostedService(sp => sp.GetRequiredService<UpstreamKeyCleaner>());
        services.AddSingleton<ShadowKeyReconciler>();
        return services;
    }
}
