using Quartz;

namespace CredentialBroker.Server.Governance;

/// <summary>Quartz job (clustered) running <see cref="StaleSweeper"/>.</summary>
[DisallowConcurrentExecution]
internal sealed class StaleSweepJob(StaleSweeper sweeper) : IJob
{
    public const string Name = "revoke-stale-credentials";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await sweeper.SweepAsync(cancellationToken);
}
