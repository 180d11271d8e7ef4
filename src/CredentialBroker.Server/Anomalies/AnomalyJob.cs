using Quartz;

namespace CredentialBroker.Server.Anomalies;

/// <summary>Quartz job (clustered: fires on one replica per schedule) running <see cref="AnomalyDetector"/>.</summary>
[DisallowConcurrentExecution]
internal sealed class AnomalyJob(AnomalyDetector detector) : IJob
{
    public const string Name = "detect-anomalies";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await detector.RunAsync(cancellationToken);
}
