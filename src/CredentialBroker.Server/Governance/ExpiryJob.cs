using Quartz;

namespace CredentialBroker.Server.Governance;

/// <summary>Quartz job (clustered: fires on one replica per schedule) that expires credentials past their expiry.</summary>
[DisallowConcurrentExecution]
internal sealed class ExpiryJob(ExpirySweeper sweeper) : IJob
{
    public const string Name = "expire-credentials";

    /// <summary>Sweeps; the run's result (for job listeners) is how many credentials it expired.</summary>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        context.Result = await sweeper.SweepAsync(cancellationToken);
}
