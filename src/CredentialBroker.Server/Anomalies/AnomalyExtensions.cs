namespace CredentialBroker.Server.Anomalies;

internal static class AnomalyExtensions
{
    /// <summary>Anomaly detection: the responder that acts on findings, the gateway's real-time checks and their background writer.</summary>
    public static IServiceCollection AddAnomalies(this IServiceCollection services)
    {
        services.AddSingleton<AnomalyResponder>();
        services.AddSingleton<AnomalyDetector>();
        services.AddSingleton<RealtimeChecks>();
        services.AddHostedService(sp => sp.GetRequiredService<RealtimeChecks>());
        return services;
    }
}
