using Quartz;

namespace CredentialBroker.Server.Governance;

/// <summary>Quartz job (clustered: fires on one replica per schedule) that expires credentials past their expiry.</summary>
[DisallowConcurrentExecution]
internal sealed class ExpiryJob(ExpirySweeper sweeper) : IJob
{
    public const string Name = "expire-credentials";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await sweeper.SweepAsync(cancellationToken);
}
