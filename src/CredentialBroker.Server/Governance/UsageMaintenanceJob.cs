using Quartz;

namespace CredentialBroker.Server.Governance;

/// <summary>Quartz job (clustered) for <see cref="UsageMaintenance"/>: partitions ahead, retention behind.</summary>
[DisallowConcurrentExecution]
internal sealed class UsageMaintenanceJob(UsageMaintenance maintenance) : IJob
{
    public const string Name = "usage-maintenance";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await maintenance.RunAsync(cancellationToken);
}
